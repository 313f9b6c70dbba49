/**
 * Stand-ins for the services the bootstrap run's provider (components/dynamic/bootstrap-run.js) calls: GitHub's OIDC
 * token endpoint and Microsoft Entra ID's token endpoint (`identity`), and ARM's container group API (`arm`). Each
 * records what it was asked, so tests can show which credential reached which call and that no token leaked.
 */
import * as http from "http";
import type { AddressInfo } from "net";
import { BOOTSTRAP_RUN_PROVIDER } from "../../components/bootstrap-run";

type Send = (status: number, json?: unknown, headers?: Record<string, string>) => void;

async function listen(handler: (req: http.IncomingMessage, body: string, send: Send) => void): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer((req, res) => {
    let data = "";
    req.on("data", (c) => (data += c));
    req.on("end", () =>
      handler(req, data, (status, json, headers = {}) => {
        res.writeHead(status, { "Content-Type": "application/json", ...headers });
        res.end(json === undefined ? "" : JSON.stringify(json));
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export interface StandInIdentity {
  /** The environment GitHub Actions gives a job with id-token: write, plus deploy.yml's ARM_* variables. */
  env: Record<string, string>;
  /** What Entra ID is asked (form fields) and what GitHub is asked (audience, bearer). */
  tokenRequests: Record<string, string>[];
  oidcRequests: { audience: string | null; authorization?: string }[];
  /** Every ARM token handed out, in order. */
  issued: string[];
  /** Seconds each new token is valid (expires_in). */
  lifetime: number;
  loginEndpoint: string;
  close(): void;
}

/** GitHub's OIDC endpoint and Entra ID's token endpoint: each ARM token is new (`arm-token-<n>`), valid `lifetime` s. */
export async function standInIdentity(): Promise<StandInIdentity> {
  const tokenRequests: Record<string, string>[] = [];
  const oidcRequests: { audience: string | null; authorization?: string }[] = [];
  const issued: string[] = [];
  const { server, url } = await listen((req, body, send) => {
    const u = new URL(req.url!, "http://x");
    if (u.pathname === "/github/oidc") {
      oidcRequests.push({ audience: u.searchParams.get("audience"), authorization: req.headers.authorization });
      return req.headers.authorization === "bearer gh-request-token" ? send(200, { value: "github-oidc-jwt" }) : send(401, { message: "Bad credentials" });
    }
    if (req.method === "POST" && /^\/[^/]+\/oauth2\/v2\.0\/token$/.test(u.pathname)) {
      const form = Object.fromEntries(new URLSearchParams(body));
      tokenRequests.push({ tenant: u.pathname.split("/")[1], ...form });
      if (form.client_assertion !== "github-oidc-jwt" && form.client_secret !== "s3cret") return send(401, { error: "invalid_client", error_description: "AADSTS700024: Client assertion is not within its valid time range." });
      const token = `arm-token-${issued.length + 1}`;
      issued.push(token);
      return send(200, { token_type: "Bearer", expires_in: self.lifetime, access_token: token });
    }
    return send(404, {});
  });
  const self: StandInIdentity = {
    lifetime: 3599,
    env: {
      ARM_USE_OIDC: "true",
      ARM_CLIENT_ID: "00000000-0000-0000-0000-0000000000c1",
      ARM_TENANT_ID: "00000000-0000-0000-0000-0000000000t1",
      ACTIONS_ID_TOKEN_REQUEST_URL: `${url}/github/oidc?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: "gh-request-token",
    },
    tokenRequests,
    oidcRequests,
    issued,
    loginEndpoint: url,
    close: () => server.close(),
  };
  return self;
}

/** One scripted answer of the stand-in ARM: `[status, body, headers]`. */
export type ArmAnswer = [number, unknown?, Record<string, string>?];

export interface StandInArm {
  url: string;
  /** `METHOD /path auth=ok` per request, or `auth=missing` when the bearer token is not one `isToken` accepts. */
  calls: string[];
  /** The container group body of the last PUT. */
  body(): any;
  close(): void;
}

/**
 * ARM's container group API as Azure answers one run: DELETE (204 when absent), PUT (201), GET (404 before the PUT,
 * then Running once and Terminated with `exitCode`), the log, DELETE. `script` overrides answers per request: a
 * function of (method, path, how many times that method and path were asked before) that returns an answer or nothing.
 */
export async function standInArm(
  exitCode: number,
  isToken: (token: string) => boolean,
  script?: (method: string, path: string, n: number) => ArmAnswer | undefined,
): Promise<StandInArm> {
  const calls: string[] = [];
  const seen: Record<string, number> = {};
  let polls = 0;
  let body: any;
  let exists = false;
  const { server, url } = await listen((req, data, send) => {
    const path = new URL(req.url!, "http://x").pathname;
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    calls.push(`${req.method} ${path} auth=${bearer !== undefined && isToken(bearer) ? "ok" : "missing"}`);
    const key = `${req.method} ${path}`;
    const n = (seen[key] = (seen[key] ?? 0) + 1) - 1;
    const scripted = script?.(req.method!, path, n);
    if (scripted) return send(...scripted);
    if (path.endsWith("/logs")) return send(200, { content: exitCode === 0 ? "database bootstrap succeeded\n" : 'ERROR 42601: syntax error at or near "GRAN"\n' });
    if (req.method === "DELETE") {
      const was = exists;
      exists = false;
      return send(was ? 200 : 204);
    }
    if (req.method === "PUT") {
      body = JSON.parse(data);
      exists = true;
      return send(201, body);
    }
    if (!exists) return send(404, { error: { code: "ResourceNotFound" } });
    polls++;
    const state = polls < 2 ? { state: "Running" } : { state: "Terminated", exitCode };
    return send(200, { properties: { provisioningState: "Succeeded", containers: [{ name: "bootstrap", properties: { instanceView: { currentState: state } } }] } });
  });
  return { url, calls, body: () => body, close: () => server.close() };
}

/** A BootstrapRun's inputs as the provider host gets them, against these stand-ins: quick polls, one minute at most. */
export function runInputs(arm: StandInArm, identity: StandInIdentity, key: string, groupId: string): Record<string, unknown> {
  return {
    key,
    serverId: "/servers/a",
    groupId,
    containerName: "bootstrap",
    group: { location: "eastus", properties: { containers: [{ name: "bootstrap" }] } },
    armEndpoint: arm.url,
    loginEndpoint: identity.loginEndpoint,
    apiVersion: "2023-05-01",
    pollSeconds: 0.05,
    timeoutMinutes: 1,
    __provider: BOOTSTRAP_RUN_PROVIDER,
  };
}
