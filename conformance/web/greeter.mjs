// Calls the Greeter of ../web_test.go with @connectrpc/connect-web's
// Connect and gRPC-Web transports (fetch, HTTP/1.1) and prints what it
// got as one JSON object per transport. The descriptors of
// greeter/v1/greeter.proto and google/rpc/error_details.proto come
// base64-encoded in GREETER_DESC and ERRDETAILS_DESC, so no code is
// generated for JavaScript.
import { createClient, ConnectError } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { fileDesc, messageDesc, serviceDesc } from "@bufbuild/protobuf/codegenv2";
import { file_google_protobuf_duration } from "@bufbuild/protobuf/wkt";

const greeterFile = fileDesc(process.env.GREETER_DESC);
const errorsFile = fileDesc(process.env.ERRDETAILS_DESC, [file_google_protobuf_duration]);
const Greeter = serviceDesc(greeterFile, 0);
const ErrorInfo = errorsFile.messages.find((m) => m.name === "ErrorInfo");
if (!ErrorInfo) throw new Error("no ErrorInfo in error_details.proto");
void messageDesc;

const baseUrl = process.env.BASE_URL;
const transports = {
  connect: createConnectTransport({ baseUrl }),
  "connect-binary": createConnectTransport({ baseUrl, useBinaryFormat: true }),
  "grpc-web": createGrpcWebTransport({ baseUrl }),
};

for (const [name, transport] of Object.entries(transports)) {
  const client = createClient(Greeter, transport);
  const out = { transport: name };
  out.hello = (await client.sayHello({ name: "web" })).message;
  out.stream = [];
  for await (const r of client.streamHello({ name: "stream" })) {
    out.stream.push(r.message);
  }
  try {
    await client.sayHello({ name: "missing" });
    out.error = null;
  } catch (e) {
    const err = ConnectError.from(e);
    const [info] = err.findDetails(ErrorInfo);
    out.error = {
      code: err.code,
      message: err.rawMessage,
      reason: info?.reason ?? "",
      metadata: info ? Object.fromEntries(Object.entries(info.metadata)) : {},
    };
  }
  console.log(JSON.stringify(out));
}
