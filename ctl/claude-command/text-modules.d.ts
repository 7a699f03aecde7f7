// Markdown files imported `with { type: "text" }` (Bun inlines them, also into compiled binaries).
declare module "*.md" {
  const text: string;
  export default text;
}
