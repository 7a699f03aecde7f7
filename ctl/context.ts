// One invocation of purplectl: its global flags, where the project and the socket are, output,
// and the connections it opened (closed when the command returns). It loads no schema (zod): ctl/main.ts
// sets zod up before a command that needs one, and `submit` reaches the daemon without it.
import { PurpleError } from "../protocol/errors.ts";
import { connect, type Client, type ConnectOptions } from "./client.ts";
import { findSocket, type SocketChoice } from "./find-socket.ts";

export interface Flags {
  root?: string;
  socket?: string;
  json: boolean;
  /** status: never shorten a cell to fit the terminal */
  wide: boolean;
  follow: boolean;
  compile: boolean;
  /** validate --compile --model: the plan's model compiles too, grounded in the plan's text */
  model: boolean;
  /** init --claude-command: install purple's Claude Code command */
  "claude-command": boolean;
  /** validate --report: the intake report of a compiled folder */
  report: boolean;
  systemd: boolean;
  launchd: boolean;
  user: boolean;
  plan?: string;
  /** approve --override CHECK[,CHECK…]: failed checks (WAVE#N of a blocked gate, CONTRACT#N of a tripped contract) a person passes by decision */
  override?: string;
  /** retry --note TEXT: guidance added to the agent's prompt */
  note?: string;
}

export class Ctx {
  readonly socket: SocketChoice;
  private readonly clients: Client[] = [];

  constructor(readonly flags: Flags) {
    this.socket = findSocket({ socket: flags.socket, root: flags.root });
  }

  get json(): boolean {
    return this.flags.json;
  }

  /** The project root, or a failure saying how to name one. */
  requireRoot(): string {
    if (this.socket.root) return this.socket.root;
    throw new PurpleError("INVALID_PARAMS", "no .context-kit/orchestration/ here or in any parent directory; pass --root DIR");
  }

  /** A connection to the daemon; NoDaemonError when none answers. */
  async connect(opts?: ConnectOptions): Promise<Client> {
    const client = await connect(this.socket.path, opts);
    this.clients.push(client);
    return client;
  }

  /** Print the human text, or with --json the value as JSON. */
  print(human: string, json: unknown): void {
    // console.log, not process.stdout: touching process.stdout costs a compiled purplectl ~10 ms.
    console.log(this.json ? JSON.stringify(json, null, 2) : human);
  }

  /** A note for people on stderr (stdout stays machine-readable). */
  note(text: string): void {
    console.error(text);
  }

  closeAll(): void {
    for (const c of this.clients) c.close();
  }
}
