// The part of the WebAssembly JS API the wasm backend uses. TypeScript
// declares it in lib.dom only, which the Node build leaves out (it would make
// browser globals look available in Node code).
declare namespace WebAssembly {
  type ImportValue = (...args: never[]) => unknown;
  type Imports = Record<string, Record<string, ImportValue>>;
  interface ModuleImportDescriptor {
    module: string;
    name: string;
    kind: string;
  }
  class Module {
    constructor(bytes: BufferSource);
    static imports(module: Module): ModuleImportDescriptor[];
  }
  class Instance {
    constructor(module: Module, imports?: Imports);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
  class RuntimeError extends Error {}
  function compile(bytes: BufferSource): Promise<Module>;
  function compileStreaming(source: Response | PromiseLike<Response>): Promise<Module>;
}
type BufferSource = ArrayBufferView<ArrayBuffer> | ArrayBuffer;
