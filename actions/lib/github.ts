/** One GitHub REST call; the tests pass a recorder or point the API URL at a loopback server. */
export type GithubRequest = (method: string, path: string, body?: unknown) => Promise<unknown>;

/**
 * GitHub's REST API with a job token. A refusal or no answer names the API's URL (github.com's, or a
 * GitHub Enterprise Server's from GITHUB_API_URL), the method and the path, never the token.
 */
export function githubRequest(apiUrl: string, token: string): GithubRequest {
    return async (method, path, body) => {
        let response: Response;
        try {
            response = await fetch(`${apiUrl}${path}`, {
                method,
                headers: {
                    authorization: `Bearer ${token}`,
                    accept: "application/vnd.github+json",
                    "x-github-api-version": "2022-11-28",
                    ...(body === undefined ? {} : { "content-type": "application/json" }),
                },
                body: body === undefined ? undefined : JSON.stringify(body),
                signal: AbortSignal.timeout(30_000),
            });
        } catch (error) {
            const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : "";
            throw new Error(
                `GitHub API at ${apiUrl} did not answer ${method} ${path}: ${error instanceof Error ? error.message : String(error)}${cause}`,
            );
        }
        if (!response.ok)
            throw new Error(
                `GitHub answered ${response.status} to ${method} ${path} at ${apiUrl}: ${(await response.text()).slice(0, 200)}`,
            );
        return response.status === 204 ? undefined : response.json();
    };
}
