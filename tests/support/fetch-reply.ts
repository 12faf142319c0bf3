/** One `fetch`, its body read once: what the HTTP tests assert on. */
export interface Reply {
    readonly status: number;
    readonly headers: Headers;
    readonly text: string;
    /** The body parsed as JSON; `undefined` when it is not JSON. */
    readonly json: any;
}

export async function call(url: string, init: RequestInit = {}): Promise<Reply> {
    const response = await fetch(url, init);
    const text = await response.text();
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch {
        json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
}
