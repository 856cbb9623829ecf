import type { OrderApi } from '../yeastar/orders.js';
import type { OrderSummary } from '../yeastar/schemas/orders.js';
import type { LedgerEntry } from './ledger.js';

/** How far before the attempt an order may have been created (clocks of two machines differ). */
export const CLOCK_MARGIN_MS = 5 * 60_000;
const MAX_PAGES = 3;

/**
 * The order an attempt placed, if the API has it: the newest orders created since the attempt (less
 * a margin) for this SN. The list names the SN when it can (the simulator does; the guide does not
 * say), else each candidate's details do.
 */
export async function findPlacedOrder(
  orders: OrderApi,
  entry: LedgerEntry,
): Promise<OrderSummary | undefined> {
  const since = entry.at - CLOCK_MARGIN_MS;
  for (let pageNo = 1; pageNo <= MAX_PAGES; pageNo++) {
    const page = await orders.listOrders(pageNo, 50);
    for (const order of page.orders) {
      if (order.createTime !== null && order.createTime < since) return undefined;
      if (order.productNo !== null) {
        if (order.productNo === entry.sn) return order;
        continue;
      }
      const details = await orders.getOrder(order.id);
      if (details.productNo === entry.sn) return order;
    }
    if (pageNo >= page.totalPage) return undefined;
  }
  return undefined;
}
