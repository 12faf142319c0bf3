import * as fs from "node:fs";
import { chromium, type Browser } from "playwright-core";

/** Debian's Chromium; playwright-core never downloads a browser of its own. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** The command that installs {@link CHROMIUM_PATH} on this machine (Debian, as root). */
export const CHROMIUM_INSTALL_COMMAND = "apt-get update && apt-get install -y chromium";

/**
 * Flags for a headless Chromium on a closed network: background networking, component updates,
 * sync and QUIC would all try to reach Google and fail (or hang) here; the sandbox needs user
 * namespaces the container lacks.
 */
export const CHROMIUM_ARGS: readonly string[] = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/**
 * Launches headless Chromium, by default Debian's at {@link CHROMIUM_PATH}. A missing browser
 * throws (with the install command) instead of skipping: a browser test that silently does not
 * run proves nothing.
 */
export async function launchChromium(executablePath = CHROMIUM_PATH): Promise<Browser> {
    if (!fs.existsSync(executablePath)) {
        throw new Error(`Chromium is not installed at ${executablePath}. Install it: ${CHROMIUM_INSTALL_COMMAND}`);
    }
    return chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS] });
}
