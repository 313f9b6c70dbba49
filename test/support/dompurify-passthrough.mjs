// Stands in for DOMPurify while test/mermaid-check.mjs parses Mermaid files in Node: Mermaid runs labels through
// DOMPurify, which needs a browser DOM, and sanitising is not what the check is about. Text passes unchanged, so the
// verdict is the grammar's alone (the same verdicts and messages as Mermaid with a full jsdom window, on every
// diagram the plan writes and on the broken cases tried). Should Mermaid call anything else here, the check throws
// on valid files and its tests fail loudly.
export default {
  isSupported: true,
  sanitize: (text) => text,
  addHook() {},
  removeHook() {},
  removeHooks() {},
  removeAllHooks() {},
};
