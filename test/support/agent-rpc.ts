export {};
// Run inside an agent's sandbox by the integration tests: one JSON-RPC call on a socket, printed as
// `<method> -> OK <result>`, `<method> -> ERR <code>` or `<method> -> NO-CONNECT <reason>`.
const [path, method, params] = process.argv.slice(2) as [string, string, string | undefined];
const timer = setTimeout(() => (console.log(`${method} -> NO-ANSWER`), process.exit(0)), 5000);
try {
  let buf = "";
  const socket = await Bun.connect({
    unix: path,
    socket: {
      data(_s, chunk) {
        buf += chunk.toString();
        const nl = buf.indexOf("\n");
        if (nl < 0) return;
        const msg = JSON.parse(buf.slice(0, nl));
        console.log(msg.error ? `${method} -> ERR ${msg.error.data?.code ?? msg.error.code}` : `${method} -> OK ${JSON.stringify(msg.result)}`);
        clearTimeout(timer);
        process.exit(0);
      },
    },
  });
  socket.write(JSON.stringify({ jsonrpc: "2.0", id: 1, method, ...(params ? { params: JSON.parse(params) } : {}) }) + "\n");
} catch (err) {
  console.log(`${method} -> NO-CONNECT ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  clearTimeout(timer);
  process.exit(0);
}
