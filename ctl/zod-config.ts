// Imported first by ctl/context.ts, before any schema exists: zod decides at construction
// whether a schema's parser is compiled (JIT). A purplectl command validates a handful of
// results, where compiling costs more than it saves (~2 ms of a compiled `purplectl status`).
import { z } from "zod";

z.config({ jitless: true });
