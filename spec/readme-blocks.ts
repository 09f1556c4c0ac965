import { readFileSync } from "node:fs";
import { join } from "node:path";

/** A fenced block of the README: where it starts, its language, the markers after it (`run`, `check`…) and its text. */
export interface Block {
  line: number;
  lang: string;
  markers: string[];
  code: string;
}

/** The README's fenced blocks, in order. */
export function readmeBlocks(): Block[] {
  const text = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");
  const blocks: Block[] = [];
  for (const match of text.matchAll(/^```(\S*)([^\n]*)\n([\s\S]*?)^```$/gm)) {
    const line = text.slice(0, match.index).split("\n").length;
    blocks.push({ line, lang: match[1], markers: match[2].trim().split(/\s+/).filter(Boolean), code: match[3] });
  }
  return blocks;
}
