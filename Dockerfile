# syntax=docker/dockerfile:1
# Build stage: the same install, typecheck and lint that CI runs (.ci/run), so an image never ships code CI
# would have refused. Tests need Redis and run in CI, not here.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json biome.json vitest.config.ts ./
COPY src ./src
COPY sim ./sim
COPY bench ./bench
COPY test ./test
RUN npm run typecheck && npm run lint

# Runtime stage: production dependencies only, run as the unprivileged `node` user.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/src ./src
COPY tsconfig.json ./
COPY slack ./slack
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["npm", "start"]
