/** The GitHub OIDC subject every federated credential is written with (config/github.ts). */
import { environmentSubject, parseRepository } from "../config/github";

describe("environmentSubject", () => {
  test("a repository without immutable claims: repo:<owner>/<repo>:environment:<env>", () => {
    expect(environmentSubject({ owner: "contoso", name: "amplifier-infra" }, "prod")).toBe("repo:contoso/amplifier-infra:environment:prod");
  });

  test("a repository with immutable claims carries both ids after '@' (GitHub's OIDC reference example)", () => {
    expect(environmentSubject({ owner: "octocat", name: "my-repo", ownerId: 123456, repositoryId: 456789 }, "prod-preview")).toBe(
      "repo:octocat@123456/my-repo@456789:environment:prod-preview",
    );
  });
});

describe("parseRepository", () => {
  test("reads both forms and gives back what environmentSubject needs", () => {
    expect(parseRepository("contoso/amplifier-api")).toEqual({ owner: "contoso", name: "amplifier-api" });
    expect(parseRepository("contoso@42/amplifier-api@7")).toEqual({ owner: "contoso", name: "amplifier-api", ownerId: 42, repositoryId: 7 });
  });

  test.each([
    ["contoso@42/amplifier-api", "one id without the other"],
    ["contoso/amplifier-api@7", "one id without the other"],
    ["contoso", "no repository name"],
    ["-contoso/app", "owner starting with a hyphen"],
    ["con--toso/app", "double hyphen in the owner"],
    ["contoso/..", "a path, not a name"],
    ["contoso@0/app@1", "an id of 0"],
    ["contoso/app:environment:prod", "a subject, not a repository"],
    ["contoso/app\nx", "a newline"],
  ])("refuses %j (%s)", (text) => {
    expect(parseRepository(text)).toBeUndefined();
  });
});
