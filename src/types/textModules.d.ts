// Templates are bundled as text (esbuild's text loader; scripts/registerTextLoader.cjs under tsx).
declare module '*.py' {
  const text: string;
  export default text;
}
declare module '*.tmpl' {
  const text: string;
  export default text;
}
