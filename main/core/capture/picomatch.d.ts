// picomatch ships no types of its own; the part of its API we call is declared here, after
// picomatch 4.0.7's README ("makeRe", "Options"), rather than adding @types/picomatch for one function.
declare module 'picomatch' {
  export interface PicomatchOptions {
    dot?: boolean;
    nocase?: boolean;
    nonegate?: boolean;
    posix?: boolean;
    windows?: boolean;
  }
  interface Picomatch {
    makeRe(glob: string, options?: PicomatchOptions): RegExp;
  }
  const picomatch: Picomatch;
  export default picomatch;
}
