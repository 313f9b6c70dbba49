/** Quoting for the bash the set-up prints (tools/azure-setup*.ts). */

/** A word for bash: single-quoted, so nothing in it is expanded. Every value a command takes goes through it. */
export const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** A value shown in a `#` comment: control characters escaped, so the comment stays one line and never runs. */
// eslint-disable-next-line no-control-regex
export const shown = (s: string) => s.replace(/[\u0000-\u001f\u007f]/g, (ch) => JSON.stringify(ch).slice(1, -1));
