// keytar is an optional native module. Where it does not build (Linux without libsecret-1-dev)
// npm removes the whole package, its own keytar.d.ts with it, and `import('keytar')` would no
// longer typecheck. So the part of its API we call is declared here. An ambient module declaration
// takes precedence over the installed package's types, so every machine checks against these same
// signatures, copied from keytar 7.9.0's keytar.d.ts. At run time loadKeytar() still gives the
// clear "no keychain available" error when the package or its binary is missing.
declare module 'keytar' {
  export function getPassword(service: string, account: string): Promise<string | null>;
  export function setPassword(service: string, account: string, password: string): Promise<void>;
  export function deletePassword(service: string, account: string): Promise<boolean>;
}
