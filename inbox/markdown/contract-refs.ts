// Contracts of the folder with their owner and consumers turned into the plan's agent ids.
import type { PlanInput } from "../../protocol/plan.ts";
import type { AgentRegistry, RegisteredAgent } from "./agents.ts";
import type { GateCheck } from "../../protocol/plan.ts";
import { contractChecks, judgeOf } from "./contract-checks.ts";
import { isContractFile, parseContract } from "./contracts.ts";
import type { Items } from "./intake.ts";

type ContractIn = NonNullable<PlanInput["contracts"]>[number];

/** The canonical contracts of `integration-contracts/*`, in file-name order. */
export function buildContracts(files: Record<string, string>, registry: AgentRegistry, idOf: Map<RegisteredAgent, string>, items: Items, territoryOfAgent: (id: string) => string[] | null = () => null): ContractIn[] {
  const out: ContractIn[] = [];
  const used = new Set<string>();
  const paths = Object.keys(files)
    .filter((p) => /^integration-contracts\//.test(p) && isContractFile(p))
    .sort();
  for (const path of paths) {
    const c = parseContract(path, files[path] ?? "");
    let id = c.id;
    for (let k = 2; used.has(id); k++) id = `${c.id}-${k}`;
    used.add(id);
    const idFor = (a: RegisteredAgent | null): string | undefined => (a ? idOf.get(a) : undefined);
    let owner: string | undefined;
    for (const ref of c.owner) {
      owner = idFor(registry.resolve(ref));
      if (owner) break;
    }
    if (c.owner.length && !owner) items.add("ambiguous", c.ownerSrc ?? c.src, `contract "${id}": its owner names no agent of the plan; left without owner`);
    const consumers = new Set<string>();
    if (c.consumersAll) for (const a of registry.agents) consumers.add(idOf.get(a)!);
    for (const ref of c.consumers) {
      const a = idFor(registry.resolve(ref));
      if (a) consumers.add(a);
    }
    if (owner) consumers.delete(owner);
    // The checks its spec states, on files inside its owner's territory, and a judge of the whole.
    const stated = contractChecks(path, files[path] ?? "", owner ? territoryOfAgent(owner) : null);
    for (const n of stated.notes) items.add("ambiguous", n.src, `contract "${id}": ${n.message}`);
    const checks = [...stated.checks, judgeOf(id, path, c.title, owner)];
    if (stated.checks.length) items.add("inferred", c.src, `contract "${id}" checks: ${stated.checks.map(describe).join("; ")}; and a judge check that the owner's changes meet the spec`);
    out.push({ id, ...(c.title ? { title: c.title } : {}), ...(owner ? { owner } : {}), consumers: [...consumers], spec: path, checks });
    items.add("inferred", c.src, `contract "${id}"${owner ? ` owned by "${owner}"` : ""}${consumers.size ? `, consumed by ${[...consumers].map((x) => `"${x}"`).join(", ")}` : ""}`);
  }
  return out;
}

function describe(c: GateCheck): string {
  if ("exists" in c) return `\`${c.exists}\` exists`;
  if ("exports" in c) return `\`${c.exports.file}\` exports ${c.exports.names.join(", ")}`;
  if ("contains" in c) return `\`${c.contains.file}\` matches /${c.contains.pattern}/`;
  return JSON.stringify(c);
}
