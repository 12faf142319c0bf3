/**
 * The API console page: loads `/config.json`, then runs each API call on demand and shows its
 * status, latency and body. Element ids are a contract with the browser tests.
 */
import { CALL_IDS, type CallId, type CallInputs, describeCall, requestFor } from "./calls";
import { type ConsoleConfig, errorMessage, type LocalCredentials, loadConfig } from "./config";
import { type CallOutcome, type ResponseOutcome, timedFetch } from "./http";

function element<T extends HTMLElement>(selector: string): T {
    const found = document.querySelector<T>(selector);
    if (!found) {
        throw new Error(`the page has no ${selector}`);
    }
    return found;
}

function inputValue(selector: string): string {
    return element<HTMLInputElement>(selector).value.trim();
}

function readInputs(): CallInputs {
    const sessionToken = inputValue("#session-token");
    return {
        token: inputValue("#token"),
        credentials: {
            accessKeyId: inputValue("#access-key-id"),
            secretAccessKey: inputValue("#secret-access-key"),
            ...(sessionToken === "" ? {} : { sessionToken }),
        },
    };
}

function prefillCredentials(local: LocalCredentials | undefined): void {
    if (local) {
        element<HTMLInputElement>("#access-key-id").value = local.accessKeyId;
        element<HTMLInputElement>("#secret-access-key").value = local.secretAccessKey;
    }
}

/** "HTTP 200 OK · 42 ms"; HTTP/2 has no reason phrase, so statusText may be empty. */
function responseSummary(outcome: ResponseOutcome): string {
    const status = [String(outcome.status), outcome.statusText].filter((part) => part !== "").join(" ");
    return `HTTP ${status} · ${outcome.latencyMs} ms`;
}

/** Puts the result element in a state; the state attribute is set last so a test waiting on it sees the rest. */
function showOutcome(result: HTMLElement, outcome: CallOutcome | "pending"): void {
    const summary = element<HTMLElement>(`#${result.id} .summary`);
    const body = element<HTMLPreElement>(`#${result.id} pre`);
    delete result.dataset.status;
    if (outcome === "pending") {
        summary.textContent = "Running…";
        body.textContent = "";
        result.dataset.state = "pending";
    } else if (outcome.kind === "error") {
        summary.textContent = "No response";
        body.textContent = outcome.message;
        result.dataset.state = "error";
    } else {
        summary.textContent = responseSummary(outcome);
        body.textContent = outcome.body;
        result.dataset.status = String(outcome.status);
        result.dataset.state = "done";
    }
}

/** Per call, the latest run: an older run still in flight must not overwrite a newer one's result. */
const latestRun = new Map<CallId, number>();

async function runCall(config: ConsoleConfig, id: CallId): Promise<void> {
    const run = (latestRun.get(id) ?? 0) + 1;
    latestRun.set(id, run);
    const result = element<HTMLElement>(`#result-${id}`);
    showOutcome(result, "pending");
    let outcome: CallOutcome;
    try {
        outcome = await timedFetch(requestFor(id, config, readInputs()));
    } catch (error) {
        // Building the request failed (e.g. signing): there was no response.
        outcome = { kind: "error", message: errorMessage(error) };
    }
    if (latestRun.get(id) === run) {
        showOutcome(result, outcome);
    }
}

async function runAll(config: ConsoleConfig, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    try {
        for (const id of CALL_IDS) {
            await runCall(config, id);
        }
    } finally {
        button.disabled = false;
    }
}

function enableConsole(config: ConsoleConfig): void {
    prefillCredentials(config.local);
    element<HTMLElement>("#api-path").textContent = config.apiPath;
    element<HTMLElement>("#signing-target").textContent = `${config.signing.host}${config.signing.pathPrefix}`;
    for (const id of CALL_IDS) {
        element<HTMLElement>(`#request-${id}`).textContent = describeCall(config, id);
        const button = element<HTMLButtonElement>(`#run-${id}`);
        button.addEventListener("click", () => void runCall(config, id));
        button.disabled = false;
    }
    const runAllButton = element<HTMLButtonElement>("#run-all");
    runAllButton.addEventListener("click", () => void runAll(config, runAllButton));
    runAllButton.disabled = false;
    document.body.dataset.ready = "true";
}

function showConfigError(error: unknown): void {
    const box = element<HTMLElement>("#config-error");
    box.textContent = `Cannot start the console: ${errorMessage(error)}`;
    box.hidden = false;
}

async function start(): Promise<void> {
    let config: ConsoleConfig;
    try {
        config = await loadConfig();
    } catch (error) {
        showConfigError(error);
        return;
    }
    enableConsole(config);
}

void start();
