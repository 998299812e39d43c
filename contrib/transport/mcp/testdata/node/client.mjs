// Calls the tools of a kratos MCP server (MCP_URL) with the TypeScript
// SDK's client over Streamable HTTP and SSE, and prints one JSON line per
// transport with what it saw. TOKEN is a valid bearer token.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const url = process.env.MCP_URL;
const auth = { headers: { Authorization: `Bearer ${process.env.TOKEN}` } };

const transports = {
  streamable: (init) => new StreamableHTTPClientTransport(new URL(url), { requestInit: init }),
  sse: (init) => new SSEClientTransport(new URL(url + "/sse"), {
    requestInit: init,
    eventSourceInit: init ? { fetch: (u, i) => fetch(u, { ...i, headers: { ...i?.headers, ...init.headers } }) } : undefined,
  }),
};

async function connect(make, init) {
  const client = new Client({ name: "node-test", version: "0.0.0" });
  await client.connect(make(init));
  return client;
}

function toolError(res) {
  return res.isError ? JSON.parse(res.content[0].text) : null;
}

for (const [name, make] of Object.entries(transports)) {
  const client = await connect(make, auth);
  const out = { transport: name, server: client.getServerVersion()?.name };

  const { tools } = await client.listTools();
  out.tools = tools.map((t) => t.name).sort();
  out.invalidSchemas = [];
  for (const t of tools) {
    for (const [kind, schema] of [["input", t.inputSchema], ["output", t.outputSchema]]) {
      const ajv = new Ajv2020({ strict: false });
      addFormats(ajv);
      try {
        ajv.compile(schema);
      } catch (e) {
        out.invalidSchemas.push(`${t.name} ${kind}: ${e.message}`);
      }
    }
  }

  const ok = await client.callTool({ name: "Greeter_SayHello", arguments: { name: "node", times: "3" } });
  out.success = ok.isError ? toolError(ok) : ok.structuredContent;
  out.validation = toolError(await client.callTool({ name: "Greeter_SayHello", arguments: { name: "" } }));
  out.kratosError = toolError(await client.callTool({ name: "Greeter_SayHello", arguments: { name: "missing" } }));
  await client.close();

  const anonymous = await connect(make, undefined);
  out.unauthorized = toolError(await anonymous.callTool({ name: "Greeter_SayHello", arguments: { name: "node" } }));
  await anonymous.close();

  console.log(JSON.stringify(out));
}
