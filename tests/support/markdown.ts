/**
 * Reading the project's Markdown (README.md, docs/) the way the documentation tests need it:
 * sections, tables, fenced blocks, lists, links and the anchors GitHub gives headings.
 */

/** A fenced code block: its info string (`sh`, `json`, `console`) and its text. */
export interface CodeBlock {
    readonly lang: string;
    readonly body: string;
}

const FENCE = /^```([^\n`]*)\n([\s\S]*?)^```[ \t]*$/gm;

/** The text without its fenced code blocks (links and headings there are code, not Markdown). */
function withoutCodeBlocks(markdown: string): string {
    return markdown.replace(FENCE, "");
}

/**
 * The section under a heading written exactly as given (`## Configuration`), up to the next heading
 * of the same or a higher level; headings inside code blocks do not count.
 * Throws when the heading is missing, naming it.
 */
export function section(markdown: string, heading: string): string {
    const level = /^#+/.exec(heading)?.[0].length ?? 0;
    const lines = markdown.split("\n");
    let inCode = false;
    let start: number | undefined;
    for (let i = 0; i < lines.length; i++) {
        if (lines[i].startsWith("```")) {
            inCode = !inCode;
            continue;
        }
        if (inCode) {
            continue;
        }
        const headingLevel = /^(#+) /.exec(lines[i])?.[1].length;
        if (start === undefined && lines[i] === heading) {
            start = i + 1;
        } else if (start !== undefined && headingLevel !== undefined && headingLevel <= level) {
            return lines.slice(start, i).join("\n");
        }
    }
    if (start === undefined) {
        throw new Error(`no heading "${heading}"`);
    }
    return lines.slice(start).join("\n");
}

/** Every fenced code block of a text, in order. */
export function codeBlocks(markdown: string): CodeBlock[] {
    return [...markdown.matchAll(FENCE)].map(([, lang, body]) => ({ lang: lang.trim(), body }));
}

/**
 * The body rows of every table of a text, each row's cells trimmed; cells are split on pipes not
 * escaped as `\|` (which then reads as `|`). Header rows (followed by a `---` row) are left out.
 */
export function tableRows(markdown: string): string[][] {
    const lines = withoutCodeBlocks(markdown).split("\n");
    const rows: string[][] = [];
    for (let i = 0; i < lines.length; i++) {
        const line = lines[i].trim();
        const isSeparator = (text: string | undefined) => /^\|(\s*:?-{3,}:?\s*\|)+$/.test(text?.trim() ?? "");
        if (!line.startsWith("|") || isSeparator(line) || isSeparator(lines[i + 1])) {
            continue;
        }
        rows.push(
            line
                .slice(1, line.endsWith("|") ? -1 : undefined)
                .split(/(?<!\\)\|/)
                .map((cell) => cell.trim().replace(/\\\|/g, "|")),
        );
    }
    return rows;
}

/** The items of the Markdown bullet lists of a text (`- ` items), continuation lines joined by a space. */
export function listItems(markdown: string): string[] {
    const items: string[] = [];
    let current: string[] | undefined;
    for (const line of withoutCodeBlocks(markdown).split("\n")) {
        if (line.startsWith("- ")) {
            current = [line.slice(2).trim()];
            items.push("");
        } else if (current !== undefined && /^\s+\S/.test(line)) {
            current.push(line.trim());
        } else {
            current = undefined;
            continue;
        }
        items[items.length - 1] = current.join(" ");
    }
    return items;
}

/** The inline code spans of a text (outside code blocks), without their backticks. */
export function codeSpans(markdown: string): string[] {
    return [...withoutCodeBlocks(markdown).matchAll(/`([^`\n]+)`/g)].map(([, span]) => span);
}

/** The targets of the inline links of a text (`[text](target)`), outside code blocks and code spans. */
export function linkTargets(markdown: string): string[] {
    const prose = withoutCodeBlocks(markdown).replace(/`[^`\n]*`/g, (span) => (span.includes("](") ? "" : span));
    return [...prose.matchAll(/\[[^\]\n]*\]\(([^)\s]+)\)/g)].map(([, target]) => target);
}

/**
 * The anchor GitHub gives a heading: its text (code marks and link targets dropped) in lower case,
 * without punctuation, spaces as hyphens (https://github.com/Flet/github-slugger, which github.com
 * follows).
 */
export function headingAnchor(heading: string): string {
    return heading
        .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
        .replace(/`/g, "")
        .toLowerCase()
        .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
        .replace(/ /g, "-");
}

/** The anchors of every heading of a document; a repeated one gets `-1`, `-2`, ... as on GitHub. */
export function headingAnchors(markdown: string): Set<string> {
    const seen = new Map<string, number>();
    const anchors = new Set<string>();
    for (const [, text] of withoutCodeBlocks(markdown).matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
        const anchor = headingAnchor(text);
        const count = seen.get(anchor) ?? 0;
        seen.set(anchor, count + 1);
        anchors.add(count === 0 ? anchor : `${anchor}-${count}`);
    }
    return anchors;
}
