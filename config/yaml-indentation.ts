/**
 * Finds the line of an indentation mistake in a block-style YAML file and says what to change. The `yaml` parser
 * reports a key indented one space too far as an error on the line above it ("Nested mappings are not allowed in
 * compact mappings": it reads the deeper line as the continuation of the value above) and a key indented too little
 * as "All mapping items must start at the same column", with no column to use; stack files are short block YAML, so
 * the indentation of each line against the keys that are open above it tells which line is wrong and by how much.
 * Anything this reader does not follow (flow collections or quoted strings over several lines, nested inline
 * lists) yields no diagnosis, and the parser's own message stands.
 */

/** An indentation mistake: 1-based line and column of the offending entry, and what to change. */
export interface IndentationMistake {
  line: number;
  col: number;
  text: string;
}

/** An open block: the column its entries start at, the last entry seen there, and whether it is a list. */
interface Level {
  indent: number;
  list: boolean;
  entry: string;
  line: number;
}

const KEY = /^("[^"]*"|'[^']*'|[^\s#'"?\-,[\]{}|>][^#]*?|-[^\s#][^#]*?)\s*:(?:\s+|$)(.*)$/;

/** `key: value  # comment` -> the value without its comment. */
const valueOf = (rest: string) => rest.replace(/(^|\s)#.*$/, "").trim();

const spaces = (n: number) => `${n} space${n === 1 ? "" : "s"}`;

const described = (level: Level) => (level.list ? `the list item on line ${level.line}` : `\`${level.entry}\` on line ${level.line}`);

/** The first indentation mistake in `src`, or undefined when there is none this reader can name. */
export function indentationMistake(src: string): IndentationMistake | undefined {
  const lines = src.split(/\r?\n/);
  const levels: Level[] = [];
  let opens = false; // the previous entry has no value on its line: a deeper block may follow
  let scalarAbove: number | undefined; // inside a block scalar (`|`, `>`) whose key is at this indent
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const indentText = /^[ \t]*/.exec(raw)![0];
    const content = raw.slice(indentText.length);
    if (scalarAbove !== undefined) {
      if (!content || indentText.length > scalarAbove) continue;
      scalarAbove = undefined;
    }
    if (!content || content.startsWith("#")) continue;
    if (content === "---" || content === "...") return undefined;
    const line = i + 1;
    if (indentText.includes("\t")) {
      return { line, col: indentText.indexOf("\t") + 1, text: "Tabs are not allowed as indentation: indent with spaces" };
    }
    const indent = indentText.length;
    const item = /^-(\s+|$)/.exec(content);
    // The entry that starts this line, its column, and whether a list item begins here.
    const entryText = item ? content.slice(item[0].length) : content;
    if (item && /^-(\s|$)/.test(entryText)) return undefined; // a list inside a list item: not followed here
    const key = KEY.exec(entryText);
    const name = key ? key[1] : entryText.split(/\s/)[0];

    const top = levels[levels.length - 1];
    if (!top) {
      levels.push({ indent, list: !!item, entry: name, line });
    } else if (opens && (indent > top.indent || (item && indent === top.indent && !top.list))) {
      levels.push({ indent, list: !!item, entry: name, line });
    } else if (indent > top.indent) {
      if (!key && !item) return undefined; // the continuation of a plain scalar over several lines: valid YAML
      const what = item ? "this list item" : `\`${name}\``;
      return {
        line,
        col: indent + 1,
        text: `${what} is indented ${spaces(indent)}, more than ${described(top)} (${spaces(top.indent)}), which already has a value: indent it ${spaces(top.indent)}`,
      };
    } else {
      // A dedent closes the blocks deeper than this line; a key also closes a list at its own column.
      const closed: Level[] = [];
      while (levels.length && levels[levels.length - 1].indent > indent) closed.push(levels.pop()!);
      while (!item && levels.length > 1 && levels[levels.length - 1].indent === indent && levels[levels.length - 1].list) closed.push(levels.pop()!);
      const at = levels[levels.length - 1];
      if (!at || at.indent !== indent) {
        // Between two blocks: the nearer one is most likely meant (a tie names both); keys join mappings, items lists.
        const fits = (l: Level) => l.list === !!item;
        const deeper = [...closed].reverse().find((l) => l.indent > indent && fits(l));
        const outer = [...levels].reverse().find((l) => l.indent < indent && fits(l));
        const [near, far] = [deeper, outer].filter((l): l is Level => !!l).sort((a, b) => Math.abs(a.indent - indent) - Math.abs(b.indent - indent));
        if (!near) return undefined;
        const what = item ? "this list item" : `\`${name}\``;
        const fix =
          far && Math.abs(far.indent - indent) === Math.abs(near.indent - indent)
            ? `indent it ${spaces(near.indent)} like ${described(near)}, or ${spaces(far.indent)} like ${described(far)}`
            : `indent it ${spaces(near.indent)} like ${described(near)}`;
        return { line, col: indent + 1, text: `${what} is indented ${spaces(indent)}, which lines up with nothing above it: ${fix}` };
      }
      if (item !== null && !at.list) return undefined; // a list at the column of a key: the parser's message says it
      at.entry = name;
      at.line = line;
    }
    // What this line opens for the next one.
    const value = key ? valueOf(key[2]) : item ? valueOf(entryText) : "x";
    if (/^[[{]/.test(value) && !/[\]}]$/.test(value)) return undefined; // a flow collection over several lines
    if (/^["']/.test(value) && !/["']$/.test(value.slice(1))) return undefined; // a quoted string over several lines
    if (key && /^[|>][-+0-9]*$/.test(value)) {
      scalarAbove = indent + (item ? item[0].length : 0);
      opens = false;
    } else {
      opens = key ? value === "" : !!item && entryText.trim() === "";
    }
    if (item && key) {
      // `- key: value`: the item's own mapping starts at its key's column, one level deeper than the list.
      levels.push({ indent: indent + item[0].length, list: false, entry: name, line });
    }
  }
  return undefined;
}
