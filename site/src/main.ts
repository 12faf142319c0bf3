/**
 * The API console page: loads `/config.json`, then runs each API call on demand and shows first
 * what matters (status, latency, an error's message, the authorizer context or IAM identity, the
 * echoed body), then what was sent, then the raw response. Element ids and data attributes are a
 * contract with the browser tests.
 */
import {
    type ApiRequest,
    CALL_FIELDS,
    CALL_IDS,
    type CallId,
    type CallInputs,
    describeCall,
    FIELD_NAMES,
    type FieldId,
    inputProblem,
    requestFor,
} from "./calls";
import { type ConsoleConfig, errorMessage, type LocalCredentials, loadConfig } from "./config";
import { type ResponseOutcome, timedFetch } from "./http";
import { currentUser, displayName, type SignInAuth, signOut, userManager } from "./session";
import { type Fact, responseSummary, sentFacts } from "./summary";

function element<T extends HTMLElement>(selector: string, within: ParentNode = document): T {
    const found = within.querySelector<T>(selector);
    if (!found) {
        throw new Error(`the page has no ${selector}`);
    }
    return found;
}

function field(id: FieldId): HTMLInputElement {
    return element<HTMLInputElement>(`#${id}`);
}

function fieldValue(id: FieldId): string {
    return field(id).value.trim();
}

/**
 * The token the authorized call sends: the signed-in user's access token (`Bearer`), or, with the
 * demo tokens, the typed field. Signed out, there is none and the authorizer answers 401.
 */
let authorizedCallToken = (): string => fieldValue("token");

function readInputs(): CallInputs {
    const sessionToken = fieldValue("session-token");
    return {
        token: authorizedCallToken(),
        credentials: {
            accessKeyId: fieldValue("access-key-id"),
            secretAccessKey: fieldValue("secret-access-key"),
            ...(sessionToken === "" ? {} : { sessionToken }),
        },
    };
}

function prefillCredentials(local: LocalCredentials | undefined): void {
    if (local) {
        field("access-key-id").value = local.accessKeyId;
        field("secret-access-key").value = local.secretAccessKey;
    }
}

/** "HTTP 200 OK · 42 ms"; HTTP/2 has no reason phrase, so statusText may be empty. */
function statusLine(outcome: ResponseOutcome): string {
    const status = [String(outcome.status), outcome.statusText].filter((part) => part !== "").join(" ");
    return `HTTP ${status} · ${outcome.latencyMs} ms`;
}

/** What a result element shows; a part left out is hidden. */
interface Shown {
    readonly state: "pending" | "error" | "done";
    readonly status?: number;
    readonly headline: string;
    readonly message?: string;
    readonly facts?: readonly Fact[];
    readonly sent?: readonly Fact[];
    readonly raw?: string;
}

/** A result element's parts, from `#result-template`. */
interface ResultView {
    readonly root: HTMLElement;
    readonly headline: HTMLElement;
    readonly message: HTMLElement;
    readonly facts: HTMLElement;
    readonly sent: HTMLElement;
    readonly raw: HTMLDetailsElement;
}

function resultView(id: CallId): ResultView {
    const root = element<HTMLElement>(`#result-${id}`);
    root.append(element<HTMLTemplateElement>("#result-template").content.cloneNode(true));
    return {
        root,
        headline: element(".summary", root),
        message: element(".message", root),
        facts: element(".facts", root),
        sent: element(".sent", root),
        raw: element(".raw", root),
    };
}

function fillList(list: HTMLElement, facts: readonly Fact[]): void {
    list.replaceChildren(
        ...facts.flatMap(([label, value]) => {
            const term = document.createElement("dt");
            const description = document.createElement("dd");
            term.textContent = label;
            description.textContent = value;
            return [term, description];
        }),
    );
}

/** Puts a result in a state; the state attribute is set last so a test waiting on it sees the rest. */
function show(view: ResultView, shown: Shown): void {
    view.headline.textContent = shown.headline;
    view.message.textContent = shown.message ?? "";
    fillList(view.facts, shown.facts ?? []);
    fillList(element("dl", view.sent), shown.sent ?? []);
    view.sent.hidden = shown.sent === undefined;
    element("pre", view.raw).textContent = shown.raw ?? "";
    view.raw.hidden = shown.raw === undefined;
    // Collapsed when the summary above gives the gist; open when the raw body is all there is.
    view.raw.open = shown.message === undefined && (shown.facts ?? []).length === 0;
    if (shown.status === undefined) {
        delete view.root.dataset.status;
    } else {
        view.root.dataset.status = String(shown.status);
    }
    view.root.dataset.state = shown.state;
}

function shownResponse(id: CallId, request: ApiRequest, outcome: ResponseOutcome): Shown {
    return {
        state: "done",
        status: outcome.status,
        headline: statusLine(outcome),
        ...responseSummary(id, outcome.status, outcome.body),
        sent: sentFacts(request),
        raw: outcome.body,
    };
}

/** Per call, the latest run: an older run still in flight must not overwrite a newer one's result. */
const latestRun = new Map<CallId, number>();

async function runCall(config: ConsoleConfig, id: CallId, view: ResultView): Promise<void> {
    const run = (latestRun.get(id) ?? 0) + 1;
    latestRun.set(id, run);
    delete view.root.dataset.stale;
    const inputs = readInputs();
    const problem = inputProblem(id, inputs);
    if (problem) {
        field(problem.field).setAttribute("aria-invalid", "true");
        show(view, { state: "error", headline: "Not sent", message: problem.message });
        return;
    }
    let request: ApiRequest;
    try {
        request = requestFor(id, config, inputs);
    } catch (error) {
        // E.g. signing failed: nothing was sent.
        show(view, { state: "error", headline: "Not sent", message: errorMessage(error) });
        return;
    }
    show(view, { state: "pending", headline: "Running…" });
    const outcome = await timedFetch(request);
    if (latestRun.get(id) !== run) {
        return;
    }
    show(
        view,
        outcome.kind === "error"
            ? { state: "error", headline: "No response", message: outcome.message, sent: sentFacts(request) }
            : shownResponse(id, request, outcome),
    );
}

function runButton(id: CallId): HTMLButtonElement {
    return element<HTMLButtonElement>(`#run-${id}`);
}

/** Runs every call in order, with every Run button (and so each form's Enter) disabled meanwhile. */
async function runAll(config: ConsoleConfig, views: ReadonlyMap<CallId, ResultView>): Promise<void> {
    const buttons = [element<HTMLButtonElement>("#run-all"), ...CALL_IDS.map((id) => runButton(id))];
    buttons.forEach((button) => (button.disabled = true));
    try {
        for (const [id, view] of views) {
            await runCall(config, id, view);
        }
    } finally {
        buttons.forEach((button) => (button.disabled = false));
    }
}

/** Editing a field marks the results of the calls that read it stale, and clears its invalid mark. */
function watchFields(views: ReadonlyMap<CallId, ResultView>): void {
    for (const id of Object.keys(FIELD_NAMES) as FieldId[]) {
        const readers = CALL_IDS.filter((call) => CALL_FIELDS[call].includes(id));
        field(id).addEventListener("input", () => {
            field(id).removeAttribute("aria-invalid");
            for (const call of readers) {
                const { root } = views.get(call)!;
                if (root.dataset.state !== undefined) {
                    root.dataset.stale = "true";
                }
            }
        });
    }
}

function enableConsole(config: ConsoleConfig): void {
    prefillCredentials(config.local);
    element<HTMLElement>("#api-path").textContent = config.apiPath;
    element<HTMLElement>("#signing-target").textContent = `${config.signing.host}${config.signing.pathPrefix}`;
    const views = new Map(CALL_IDS.map((id) => [id, resultView(id)]));
    for (const [id, view] of views) {
        element<HTMLElement>(`#request-${id}`).textContent = describeCall(config, id);
        const button = runButton(id);
        // The button submits its form, and so does Enter in any of the form's fields, but not while
        // the button is disabled: implicit submission does nothing when the form's default button is
        // (https://html.spec.whatwg.org/multipage/form-control-infrastructure.html#implicit-submission).
        button.form?.addEventListener("submit", (event) => {
            event.preventDefault();
            void runCall(config, id, view);
        });
        button.disabled = false;
    }
    watchFields(views);
    const runAllButton = element<HTMLButtonElement>("#run-all");
    runAllButton.addEventListener("click", () => void runAll(config, views));
    runAllButton.disabled = false;
    document.body.dataset.ready = "true";
}

function showConfigError(error: unknown): void {
    const box = element<HTMLElement>("#config-error");
    box.textContent = `Cannot start the console: ${errorMessage(error)}`;
    box.hidden = false;
}

/**
 * With a sign-in provider, the Sign in / Sign out buttons and who is signed in replace the token
 * field. A failed sign-in (refused at the issuer, a stale or forged state) leaves the console
 * signed out, saying why.
 */
async function enableSignIn(auth: SignInAuth): Promise<void> {
    const manager = userManager(auth, location.origin);
    let user: Awaited<ReturnType<typeof currentUser>> = null;
    let failure: string | undefined;
    try {
        user = await currentUser(manager, location, history);
    } catch (error) {
        failure = `Sign-in failed: ${errorMessage(error)}`;
    }
    element<HTMLElement>("#token-field").hidden = true;
    element<HTMLElement>("#sign-in-panel").hidden = false;
    element<HTMLElement>("#signed-in-as").textContent = user
        ? `Signed in as ${displayName(user)}`
        : (failure ?? "Not signed in: the call goes without a token.");
    element<HTMLElement>("#sign-in-panel").dataset.signedIn = String(user !== null);
    const signIn = element<HTMLButtonElement>("#sign-in");
    const signOutButton = element<HTMLButtonElement>("#sign-out");
    signIn.hidden = user !== null;
    signOutButton.hidden = user === null;
    signIn.addEventListener("click", () => void manager.signinRedirect());
    signOutButton.addEventListener("click", () => void signOut(manager, auth, location));
    authorizedCallToken = () => (user ? `Bearer ${user.access_token}` : "");
}

async function start(): Promise<void> {
    let config: ConsoleConfig;
    try {
        config = await loadConfig();
        if (config.auth.provider !== "demo") {
            await enableSignIn(config.auth);
        }
    } catch (error) {
        showConfigError(error);
        return;
    }
    enableConsole(config);
}

void start();
