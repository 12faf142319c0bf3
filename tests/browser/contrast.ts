/**
 * WCAG 2.2 contrast of rendered text: relative luminance and contrast ratio as WCAG defines them
 * (https://www.w3.org/TR/WCAG22/#dfn-relative-luminance, #dfn-contrast-ratio), over the colours
 * Chromium computes for an element and the first opaque background behind it.
 */
import type { Page } from "playwright-core";

/** An sRGB colour, channels 0-255, alpha 0-1. */
export interface Rgba {
    readonly r: number;
    readonly g: number;
    readonly b: number;
    readonly a: number;
}

/** Parses a computed colour, `rgb(r, g, b)` or `rgba(r, g, b, a)`; any other form throws. */
export function parseComputedColor(text: string): Rgba {
    const match = /^rgba?\((\d+(?:\.\d+)?), (\d+(?:\.\d+)?), (\d+(?:\.\d+)?)(?:, (\d*(?:\.\d+)?))?\)$/.exec(text);
    if (!match) {
        throw new Error(`cannot read the computed colour "${text}" (expected rgb(...) or rgba(...))`);
    }
    return {
        r: Number(match[1]),
        g: Number(match[2]),
        b: Number(match[3]),
        a: match[4] === undefined ? 1 : Number(match[4]),
    };
}

/** WCAG relative luminance: linearised sRGB channels weighted 0.2126, 0.7152, 0.0722. */
export function relativeLuminance(color: Rgba): number {
    const linear = (channel: number): number => {
        const c = channel / 255;
        return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * linear(color.r) + 0.7152 * linear(color.g) + 0.0722 * linear(color.b);
}

/** WCAG contrast ratio, (lighter + 0.05) / (darker + 0.05): from 1 to 21. */
export function contrastRatio(a: Rgba, b: Rgba): number {
    const [lighter, darker] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x);
    return (lighter + 0.05) / (darker + 0.05);
}

/** What Chromium renders for an element's text: its colour and the background it sits on. */
export interface RenderedText {
    readonly text: string;
    readonly color: string;
    readonly background: string;
}

/**
 * The computed text colour of the element at `selector` and the first non-transparent background
 * colour among it and its ancestors. Fails where that would not be what is on screen: a
 * translucent text colour or background, or an ancestor with opacity below 1.
 */
export async function renderedText(page: Page, selector: string): Promise<RenderedText> {
    const found = await page.locator(selector).evaluate((element) => {
        let background = "rgba(0, 0, 0, 0)";
        let translucent = "";
        for (let node: Element | null = element; node !== null; node = node.parentElement) {
            const style = getComputedStyle(node);
            if (style.opacity !== "1") {
                translucent = `opacity ${style.opacity} on ${node.tagName}`;
            }
            if (background === "rgba(0, 0, 0, 0)" && style.backgroundColor !== "rgba(0, 0, 0, 0)") {
                background = style.backgroundColor;
            }
        }
        return {
            text: element.textContent ?? "",
            color: getComputedStyle(element).color,
            background,
            translucent,
        };
    });
    if (found.translucent !== "") {
        throw new Error(`${selector}: ${found.translucent}; this check reads opaque colours only`);
    }
    for (const color of [found.color, found.background]) {
        if (parseComputedColor(color).a !== 1) {
            throw new Error(`${selector}: the colour ${color} is translucent; this check reads opaque colours only`);
        }
    }
    return { text: found.text, color: found.color, background: found.background };
}
