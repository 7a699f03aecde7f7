// Stylesheets are imported as text by the web view (with { type: "text" }).
declare module "*.css" {
  const text: string;
  export default text;
}
