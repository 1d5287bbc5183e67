// Defanging: text from reports, feeds and logs is shown so that no link,
// host name or address in it can be clicked, copied into a browser by
// accident or turned into a link by a mail client. Idempotent: defanging
// already-defanged text changes nothing.

const SCHEME = /\b(h)(tt)(ps?)(?=[:[])/gi;
const EMAIL = /([\p{L}\p{N}._%+-]+)@([\p{L}\p{N}-]+(?:(?:\.|\[\.\])[\p{L}\p{N}-]+)+)/gu;
// Host names (any script: look-alike letters are a favourite of lures): two
// or more labels, the last starting with a letter (a TLD); IPv4 addresses.
const HOST = /(?<![\p{L}\p{N}-])(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+\p{L}[\p{L}\p{N}-]{0,61}[\p{L}\p{N}](?![\p{L}\p{N}-])/gu;
const IPV4 = /\b(?:\d{1,3}\.){3}\d{1,3}\b/g;

const dots = (text) => text.replace(/\./g, '[.]');

/**
 * http → hxxp, https → hxxps, dots in host names and IPv4 addresses → [.],
 * '@' in e-mail addresses → [at], "://" → "[://]" is left as is (the
 * scheme is already broken).
 */
export function defang(text) {
  if (text === null || text === undefined) return '';
  let out = String(text);
  out = out.replace(SCHEME, (m, h, tt, rest) => h + (tt === 'TT' ? 'XX' : 'xx') + rest);
  out = out.replace(/\bfile:\/\//gi, 'fxle://');
  out = out.replace(EMAIL, (m, local, domain) => `${local}[at]${domain}`);
  // Browsers read these as dots in host names (IDNA): never leave one live.
  out = out.replace(/[\u3002\uFF0E\uFF61]/g, '[.]');
  out = out.replace(IPV4, dots);
  out = out.replace(HOST, dots);
  return out;
}
