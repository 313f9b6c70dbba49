/**
 * How CI delivers an Azure stack (`delivery:` in its stack file). Secure by default: without the block a stack is
 * never previewed from a pull request and its `pulumi up` waits for a reviewer, so a stack file copied from prod, or
 * written from scratch, is gated. tools/ci-stacks.ts (the workflows' matrices) and tools/azure-setup.ts (the GitHub
 * environments and their branch rules) read it; the program does not.
 */
import { z } from "zod";

export const deliverySchema = z
  .strictObject({
    /** The preview runs the pull request's unreviewed code with the stack's read identity, whose state credential decrypts the stack's secrets. */
    pullRequestPreview: z
      .boolean()
      .default(false)
      .describe("Preview this stack on same-repository pull requests: only for disposable stacks (their code then reads its secrets)."),
    approval: z
      .enum(["required", "none"])
      .default("required")
      .describe("`required`: `pulumi up` waits for a reviewer of the stack's GitHub environment who did not start the run."),
  })
  .describe("How CI previews and deploys the stack; secure by default (never previewed from pull requests, every deploy reviewed).");

export type DeliveryConfig = z.output<typeof deliverySchema>;

/** The defaults, for an Azure stack without a `delivery` block. */
export const DEFAULT_DELIVERY: DeliveryConfig = deliverySchema.parse({});

/** A production stack is never previewed from unreviewed code and never deployed without a reviewer. */
export function checkDelivery(
  cfg: { environment: string; delivery?: DeliveryConfig },
  ctx: { addIssue(issue: { code: "custom"; path: string[]; message: string }): void },
): void {
  if (cfg.environment !== "production" || !cfg.delivery) return;
  if (cfg.delivery.pullRequestPreview) {
    ctx.addIssue({
      code: "custom",
      path: ["delivery", "pullRequestPreview"],
      message:
        "must be false for environment production: a pull request's preview runs unreviewed code with a credential " +
        "that decrypts the stack's secrets. Remove the key (default false)",
    });
  }
  if (cfg.delivery.approval !== "required") {
    ctx.addIssue({
      code: "custom",
      path: ["delivery", "approval"],
      message: 'must be "required" for environment production: its deploy waits for a reviewer. Remove the key (default "required")',
    });
  }
}
