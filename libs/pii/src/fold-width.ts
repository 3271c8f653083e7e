/**
 * Full-width ASCII (０９０－１２３４, ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ) and Japanese dashes folded to
 * ASCII, one UTF-16 unit for one, so that a match in the folded text has the same offsets in the
 * original. Japanese text often writes phone numbers and addresses this way.
 */
export function foldWidth(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xff01 && c <= 0xff5e) out += String.fromCharCode(c - 0xfee0);
    else if (c === 0x3000) out += ' ';
    else if ((c >= 0x2010 && c <= 0x2015) || c === 0x2212 || c === 0x30fc) out += '-';
    else out += text[i];
  }
  return out;
}
