// events.subscribe over HTTP: a text/event-stream of the same PlanEvents the control socket
// streams, one `data:` line each. A comment line every few seconds keeps proxies and idle timers
// from closing a quiet stream; a browser that stops reading is cut off rather than buffered forever.
import type { PlanEvent } from "../../protocol/index.ts";
import type { RpcHandler } from "../control/rpc-handler.ts";

const HEARTBEAT_MS = 10_000;
/** queued bytes a stream may hold for a browser that does not read before it is closed */
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;

const encoder = new TextEncoder();

/** A streaming response of the events of `plan` (or all plans) until the client goes away. */
export function eventStream(handler: RpcHandler, plan: string | undefined, signal: AbortSignal, onClose: () => void): Response {
  let unsubscribe = () => {};
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let closed = false;
  const close = (controller?: ReadableStreamDefaultController<Uint8Array>) => {
    if (closed) return;
    closed = true;
    unsubscribe();
    clearInterval(heartbeat);
    signal.removeEventListener("abort", onAbort);
    try { controller?.close(); } catch {}
    onClose();
  };
  let onAbort = () => close();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const push = (text: string) => {
        if (closed) return;
        const bytes = encoder.encode(text);
        // highWaterMark 0: desiredSize is minus the bytes the browser has not taken yet
        if (-(controller.desiredSize ?? 0) + bytes.length > MAX_QUEUED_BYTES) return close(controller);
        controller.enqueue(bytes);
      };
      onAbort = () => close(controller);
      signal.addEventListener("abort", onAbort);
      unsubscribe = handler.subscribe(plan === undefined ? {} : { plan }, (e: PlanEvent) => {
        if (plan === undefined || e.plan === plan) push(`data: ${JSON.stringify(e)}\n\n`);
      });
      heartbeat = setInterval(() => push(`: ${Date.now()}\n\n`), HEARTBEAT_MS);
      push(`retry: 2000\n: subscribed\n\n`);
    },
    cancel() {
      close();
    },
  }, new ByteLengthQueuingStrategy({ highWaterMark: 0 }));
  return new Response(stream, {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no" },
  });
}
