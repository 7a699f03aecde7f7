// Contracts of the folder with their owner and consumers turned into the plan's agent ids.
import type { PlanInput } from "../../protocol/plan.ts";
import type { AgentRegistry, RegisteredAgent } from "./agents.ts";
import { isContractFile, parseContract } from "./contracts.ts";
import type { Items } from "./intake.ts";

type ContractIn = NonNullable<PlanInput["contracts"]>[number];

/** The canonical contracts of `integration-contracts/*`, in file-name order. */
export function buildContracts(files: Record<string, string>, registry: AgentRegistry, idOf: Map<RegisteredAgent, string>, items: Items): ContractIn[] {
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
    out.push({ id, ...(c.title ? { title: c.title } : {}), ...(owner ? { owner } : {}), consumers: [...consumers], spec: path });
    items.add("inferred", c.src, `contract "${id}"${owner ? ` owned by "${owner}"` : ""}${consumers.size ? `, consumed by ${[...consumers].map((x) => `"${x}"`).join(", ")}` : ""}`);
  }
  return out;
}
