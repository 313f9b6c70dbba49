/**
 * Pulumi's own dynamic-provider host (@pulumi/pulumi cmd/dynamic-provider), started as the engine starts it, and a
 * client that makes the calls the engine makes for a `pulumi-nodejs:dynamic/...` resource: check, diff, create,
 * update, read (refresh) and delete. Each call carries the provider text in `__provider`, as state does.
 */
import { type ChildProcess, spawn } from "child_process";
import { createRequire } from "module";

const HOST = require.resolve("@pulumi/pulumi/cmd/dynamic-provider/index.js");
// The host's own copies, so requests and the channel are the classes it was built with.
const hostRequire = createRequire(HOST);
const grpc = hostRequire("@grpc/grpc-js");
const proto = hostRequire("../../proto/provider_pb");
const { ResourceProviderClient } = hostRequire("../../proto/provider_grpc_pb");
const { Struct } = hostRequire("google-protobuf/google/protobuf/struct_pb");

type Props = Record<string, unknown>;

export const DIFF = { unknown: 0, none: 1, some: 2 } as const;

export interface DynamicHost {
  check(olds: Props, news: Props): Promise<{ inputs: Props; failures: unknown[] }>;
  diff(id: string, olds: Props, news: Props): Promise<{ changes: number; replaces: string[] }>;
  create(props: Props): Promise<{ id: string; props: Props }>;
  update(id: string, olds: Props, news: Props): Promise<Props>;
  read(id: string, props: Props): Promise<{ id: string; props: Props }>;
  delete(id: string, props: Props): Promise<void>;
  stop(): void;
}

/** `env`: the host's whole environment (the engine starts it with its own); this process's when not given. */
export async function startDynamicHost(urn: string, env?: NodeJS.ProcessEnv): Promise<DynamicHost> {
  // The engine passes its own address; the host only needs one to start and prints the port it serves on.
  const child: ChildProcess = spawn(process.execPath, [HOST, "127.0.0.1:1"], { stdio: ["ignore", "pipe", "inherit"], ...(env ? { env } : {}) });
  const port = await new Promise<string>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`dynamic-provider host exited with ${code}`)));
    child.stdout!.once("data", (d: Buffer) => resolve(d.toString().trim()));
  });
  const client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const call = <T>(method: string, req: unknown): Promise<T> =>
    new Promise((resolve, reject) => client[method](req, (err: Error | null, resp: T) => (err ? reject(err) : resolve(resp))));
  const struct = (p: Props) => Struct.fromJavaScript(p);
  const request = (cls: string, fields: Record<string, unknown>) => {
    const req = new proto[cls]();
    req.setUrn(urn);
    for (const [k, v] of Object.entries(fields)) req[`set${k}`](v);
    return req;
  };
  return {
    async check(olds, news) {
      const resp: any = await call("check", request("CheckRequest", { Olds: struct(olds), News: struct(news) }));
      return { inputs: resp.getInputs().toJavaScript(), failures: resp.getFailuresList() };
    },
    async diff(id, olds, news) {
      const resp: any = await call("diff", request("DiffRequest", { Id: id, Olds: struct(olds), News: struct(news) }));
      return { changes: resp.getChanges(), replaces: resp.getReplacesList() };
    },
    async create(props) {
      const resp: any = await call("create", request("CreateRequest", { Properties: struct(props) }));
      return { id: resp.getId(), props: resp.getProperties().toJavaScript() };
    },
    async update(id, olds, news) {
      const resp: any = await call("update", request("UpdateRequest", { Id: id, Olds: struct(olds), News: struct(news) }));
      return resp.getProperties().toJavaScript();
    },
    async read(id, props) {
      const resp: any = await call("read", request("ReadRequest", { Id: id, Properties: struct(props) }));
      return { id: resp.getId(), props: resp.getProperties().toJavaScript() };
    },
    async delete(id, props) {
      await call("delete", request("DeleteRequest", { Id: id, Properties: struct(props) }));
    },
    stop() {
      client.close();
      child.removeAllListeners("exit");
      child.kill();
    },
  };
}
