// src/upload/names.ts
// Whether a name given by a client may become a file or folder name: checked, never cleaned,
// so what is stored is exactly what was asked for or nothing. Pure: no file system.

/** A name that may be written, or why not (plain text for the client). */
export type NameCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Longest name in bytes that ext4, APFS, NTFS and most others accept (NAME_MAX). */
const MAX_NAME_BYTES = 255;

// biome-ignore lint/suspicious/noControlCharactersInRegex: C0 and C1 controls are what it matches
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/**
 * Device names Windows reserves in every folder, with any extension (`con.txt`, `COM1.tar.gz`),
 * superscript digits included; a file so named can't be opened there once copied over.
 */
const WINDOWS_RESERVED = /^(?:con|prn|aux|nul|com[1-9¹²³]|lpt[1-9¹²³])(?:\..*)?$/i;

const OK: NameCheck = { ok: true };

function refuse(reason: string): NameCheck {
  return { ok: false, reason };
}

/** Checks one name (a single path segment) for an upload or a new folder. */
export function checkName(name: string, dotfiles: boolean): NameCheck {
  if (name === '') return refuse('the name is empty');
  if (name === '.' || name === '..') return refuse(`"${name}" is not a name`);
  if (name.includes('/') || name.includes('\\')) return refuse('a name cannot contain / or \\');
  if (name.includes('\0')) return refuse('a name cannot contain a NUL byte');
  if (CONTROL.test(name)) return refuse('a name cannot contain control characters');
  if (name.startsWith('.') && !dotfiles) {
    return refuse('names starting with a dot are hidden files; the server was not started with --dotfiles');
  }
  if (name.endsWith('.') || name.endsWith(' ')) {
    return refuse('a name cannot end with a dot or a space (Windows drops them)');
  }
  if (WINDOWS_RESERVED.test(name.replace(/ +(?=\.|$)/, ''))) {
    return refuse('that name is reserved for a device on Windows (CON, PRN, AUX, NUL, COM1-9, LPT1-9)');
  }
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) {
    return refuse(`the name is longer than ${MAX_NAME_BYTES} bytes`);
  }
  return OK;
}
