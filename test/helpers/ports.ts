export { freePort } from '../../src/ops/private-redis.js';
