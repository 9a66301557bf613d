// src/tls/trust.ts
// The one command that makes this machine trust the local certificate authority, per
// operating system, for the banner. A pure string builder; serve-here never runs it.

/** The command that adds the CA certificate at `caPath` to the system's trust store. */
export function trustCommand(platform: NodeJS.Platform, caPath: string): string {
  switch (platform) {
    case 'darwin':
      return `sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ${quotePosix(caPath)}`;
    case 'win32':
      // certutil takes the path as one argument; an elevated prompt is needed for ROOT.
      return `certutil -addstore -f ROOT "${caPath}"`;
    default:
      // Debian and Ubuntu's ca-certificates: only files ending in .crt in this folder are read.
      return `sudo cp ${quotePosix(caPath)} /usr/local/share/ca-certificates/serve-here.crt && sudo update-ca-certificates`;
  }
}

/** Single-quotes `text` for a POSIX shell when it holds anything but safe characters. */
function quotePosix(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}
