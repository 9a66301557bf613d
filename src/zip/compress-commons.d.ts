// src/zip/compress-commons.d.ts
// The part of compress-commons (a JavaScript package without types) that archive.ts uses.
declare module 'compress-commons' {
  import type { Transform } from 'node:stream';

  export class ZipArchiveEntry {
    constructor(name: string);
    setTime(date: Date, forceLocalTime?: boolean): void;
    setUnixMode(mode: number): void;
    /** 0: stored, 8: deflated. */
    setMethod(method: 0 | 8): void;
    setExtra(extra: Buffer): void;
    getGeneralPurposeBit(): { useUTF8ForNames(flag: boolean): void };
  }

  export interface ZipOutputOptions {
    readonly zlib?: { readonly level?: number };
    readonly forceLocalTime?: boolean;
  }

  /** A Transform whose readable side is the archive; entries are added one at a time. */
  export class ZipArchiveOutputStream extends Transform {
    constructor(options?: ZipOutputOptions);
    entry(
      entry: ZipArchiveEntry,
      source: Buffer | NodeJS.ReadableStream | null,
      callback: (error: Error | null) => void,
    ): this;
    finish(): void;
  }
}
