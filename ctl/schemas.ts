// The control channel's schemas as purplectl's client uses them, loaded on first need (ctl/client.ts):
// `purplectl submit` sends its request before it pays for zod. zod-config comes first so that
// these schemas are built jitless.
import "./zod-config.ts";
export { PlanEvent } from "../protocol/events.ts";
export { METHODS } from "../protocol/rpc.ts";
