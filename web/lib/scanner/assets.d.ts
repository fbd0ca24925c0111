/** Vite's `?url` imports: the URL of the file, copied into the build as a hashed asset. */
declare module '*?url' {
  const url: string;
  export default url;
}
