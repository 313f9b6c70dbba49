/**
 * The only reader of Pulumi configuration. Takes every `<project>:<key>` value of the running stack, parses
 * structured values, and validates the whole map in one go, so an unknown top-level key is an error too.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parseStackConfig, StackConfig } from "./schema";

export function loadStackConfig(): StackConfig {
  const prefix = `${pulumi.getProject()}:`;
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
    if (!key.startsWith(prefix)) continue; // provider settings such as azure-native:location
    raw[key.slice(prefix.length)] = parseValue(value);
  }
  return parseStackConfig(pulumi.getStack(), raw);
}

/** Pulumi hands structured values over as JSON text and scalars as plain strings. */
function parseValue(value: string): unknown {
  const trimmed = value.trim();
  if (/^[[{]/.test(trimmed) || /^(true|false|-?\d+(\.\d+)?)$/.test(trimmed)) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return value;
    }
  }
  return value;
}

/** The directory holding Pulumi.yaml, whether the program runs from source or from compiled `dist/`. */
export function projectRoot(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no Pulumi.yaml above ${from}`);
  }
}
