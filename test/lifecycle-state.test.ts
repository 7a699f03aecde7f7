// The daemon's lifecycle state machine: the moves it allows, and illegal ones refused.
import { expect, test } from "bun:test";
import { IllegalLifecycleMove, Lifecycle, type DaemonState } from "../daemon/lifecycle/state.ts";

test("starting → running → draining → stopping → stopped, each move reported", () => {
  const moves: string[] = [];
  const life = new Lifecycle((from, to) => moves.push(`${from}→${to}`));
  for (const to of ["running", "draining", "stopping", "stopped"] as DaemonState[]) life.to(to);
  expect(moves).toEqual(["starting→running", "running→draining", "draining→stopping", "stopping→stopped"]);
});

test("illegal moves are refused and change nothing", () => {
  const life = new Lifecycle();
  expect(() => life.to("stopped")).toThrow(IllegalLifecycleMove);
  life.to("running");
  life.to("draining");
  expect(() => life.to("running")).toThrow(/draining to running/);
  expect(life.state).toBe("draining");
  expect(life.can("stopping")).toBe(true);
  life.to("stopping");
  life.to("stopped");
  expect(() => life.to("starting")).toThrow(IllegalLifecycleMove);
});
