// The anthropic runner passes the shared runner cases against the scripted Messages API.
import { AnthropicRunner } from "../../daemon/runners/anthropic/runner.ts";
import { contextFor, finish, KEY, planOf, tempProject } from "../anthropic-fixtures.ts";
import { ScriptedApi, type ScriptStep } from "../support/scripted-api.ts";
import { runnerCases, type Prepared } from "./common.ts";

runnerCases("anthropic", () => {
  const cleanups: (() => unknown)[] = [];
  const prepared = (steps: ScriptStep[], withKey = true): Prepared => {
    const project = tempProject();
    cleanups.push(project.remove);
    const api = ScriptedApi.start({ scripts: { a: steps }, expectKey: KEY });
    cleanups.push(() => api.stop());
    const plan = planOf({ agents: [{ id: "a", territory: ["src/"] }] });
    return { runner: new AnthropicRunner({ apiKey: withKey ? KEY : undefined, baseURL: api.url }), ctx: contextFor(project.root, project.planDir, plan, "a"), underway: () => api.waitForRequest().then(() => {}) };
  };
  return {
    finishing: async () => prepared([finish("all done")]),
    hanging: async () => prepared([{ stall: {} }]),
    // no key: nothing is sent and the attempt fails at once (ANTHROPIC_API_KEY is not read from the environment here)
    unstartable: async () => {
      const saved = process.env.ANTHROPIC_API_KEY;
      delete process.env.ANTHROPIC_API_KEY;
      cleanups.push(() => (saved === undefined ? undefined : (process.env.ANTHROPIC_API_KEY = saved)));
      return prepared([finish()], false);
    },
    cleanup: async () => {
      for (const c of cleanups.splice(0).reverse()) await c();
    },
  };
});
