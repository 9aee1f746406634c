// Drives kds serve through the AWS SDK for JavaScript v3, which speaks
// HTTP/2 (h2c on http://) by default: puts, reads every shard, a typed
// error, and an enhanced fan-out subscription that must see a record put
// after it started; a client with the wrong secret is refused. It signs
// with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. Exits non-zero on any
// failure.
import {
  KinesisClient, CreateStreamCommand, PutRecordsCommand, PutRecordCommand, ListShardsCommand,
  GetShardIteratorCommand, GetRecordsCommand, DescribeStreamCommand, RegisterStreamConsumerCommand,
  SubscribeToShardCommand, ResourceNotFoundException,
} from "@aws-sdk/client-kinesis";

const endpoint = process.env.KDS_ENDPOINT ?? "http://127.0.0.1:4567";
const accessKeyId = process.env.AWS_ACCESS_KEY_ID ?? "x", secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY ?? "x";
const client = new KinesisClient({ endpoint, region: "us-east-1", credentials: { accessKeyId, secretAccessKey } });
const enc = new TextEncoder(), dec = new TextDecoder();
const check = (ok, what) => { if (!ok) { console.error("FAIL:", what); process.exit(1); } console.log("ok:", what); };

const stream = "js-" + Date.now();
await client.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 2 }));
const put = await client.send(new PutRecordsCommand({
  StreamName: stream,
  Records: [1, 2, 3].map((i) => ({ PartitionKey: "key-" + i, Data: enc.encode("record " + i) })),
}));
check(put.FailedRecordCount === 0 && put.Records.length === 3, "PutRecords stored 3 records");

const { Shards } = await client.send(new ListShardsCommand({ StreamName: stream }));
const read = [];
for (const shard of Shards) {
  const it = await client.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shard.ShardId, ShardIteratorType: "TRIM_HORIZON" }));
  const page = await client.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
  for (const r of page.Records) read.push(dec.decode(r.Data));
}
check(read.sort().join() === "record 1,record 2,record 3", "GetRecords read them back from " + Shards.length + " shards");

try {
  await client.send(new DescribeStreamCommand({ StreamName: "no-such-stream" }));
  check(false, "DescribeStream of a missing stream fails");
} catch (e) {
  check(e instanceof ResourceNotFoundException && e.$metadata.httpStatusCode === 400, "missing stream is a ResourceNotFoundException: " + e.message);
}

try {
  const wrong = new KinesisClient({ endpoint, region: "us-east-1", maxAttempts: 1, credentials: { accessKeyId, secretAccessKey: secretAccessKey + "-wrong" } });
  await wrong.send(new DescribeStreamCommand({ StreamName: stream }));
  check(false, "a wrong secret is refused");
} catch (e) {
  check(e.name === "InvalidSignatureException" && e.$metadata.httpStatusCode === 400, "a wrong secret is refused: " + e.name);
}

const { StreamDescription } = await client.send(new DescribeStreamCommand({ StreamName: stream }));
const { Consumer } = await client.send(new RegisterStreamConsumerCommand({ StreamARN: StreamDescription.StreamARN, ConsumerName: "js" }));
const sub = await client.send(new SubscribeToShardCommand({
  ConsumerARN: Consumer.ConsumerARN, ShardId: "shardId-000000000000", StartingPosition: { Type: "LATEST" },
}));
setTimeout(() => client.send(new PutRecordCommand({ StreamName: stream, PartitionKey: "late", ExplicitHashKey: "0", Data: enc.encode("late") })), 200);
let seen = false;
for await (const event of sub.EventStream) {
  const records = event.SubscribeToShardEvent?.Records ?? [];
  if (records.some((r) => dec.decode(r.Data) === "late")) { seen = true; break; }
}
check(seen, "SubscribeToShard delivered a record put after subscribing");
process.exit(0);
