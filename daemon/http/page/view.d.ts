// Type of this page script when the daemon imports it as text (with { type: "text" }); the browser runs it.
declare const text: string;
export default text;
