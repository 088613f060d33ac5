/** Vite's `?raw` imports: a file's text, for tests inside workerd, which cannot read files. */
declare module "*?raw" {
  const text: string;
  export default text;
}
