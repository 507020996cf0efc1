// Webhook URLs (SSRF), the retry schedule and the signature, without a database.
import { describe, expect, it } from "vitest";
import { MAX_ATTEMPTS, RETRY_DELAYS_SECONDS, retryDelayMs } from "../../src/modules/webhooks/outbox.service.js";
import { checkWebhookUrl, isPrivateAddress, refusedTarget, signatureHeader, verifySignature } from "../../src/modules/webhooks/webhook.target.js";

const PROD = { production: true, allowPrivate: false };
const DEV = { production: false, allowPrivate: false };

function refusal(url: string, policy = PROD): string | undefined {
  try {
    checkWebhookUrl(url, policy);
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe("webhook URLs", () => {
  it("production takes public HTTPS only", () => {
    expect(checkWebhookUrl("https://hooks.example.com/alpha", PROD)).toBe("https://hooks.example.com/alpha");
    for (const url of [
      "http://hooks.example.com/alpha",
      "http://127.0.0.1:8080/hook",
      "https://127.0.0.1/hook",
      "https://localhost/hook",
      "https://10.0.0.5/hook",
      "https://172.16.3.4/hook",
      "https://192.168.1.1/hook",
      "https://169.254.169.254/latest/meta-data",
      "https://[::1]/hook",
      "https://[fe80::1]/hook",
      "https://[fd00::1]/hook",
      "https://[::ffff:127.0.0.1]/hook",
      "https://user:pw@hooks.example.com/",
      "https://hooks.example.com/#x",
      "ftp://hooks.example.com/",
      "hooks.example.com",
    ]) {
      expect(refusal(url), url).toBe("bad_input");
    }
  });

  it("refuses IPv6 literals that embed a private IPv4 address a gateway translates (NAT64, 6to4, IPv4-compatible)", () => {
    for (const url of [
      "https://[64:ff9b::169.254.169.254]/latest/meta-data",
      "https://[64:ff9b::10.0.0.5]/hook",
      "https://[64:ff9b:1::a00:5]/hook",
      "https://[2002:a9fe:a9fe::1]/hook",
      "https://[::127.0.0.1]/hook",
      "https://[fec0::1]/hook",
      "https://198.18.0.1/hook",
      "https://192.0.0.8/hook",
    ]) {
      expect(refusal(url), url).toBe("bad_input");
    }
    expect(refusal("https://[2606:4700:4700::1111]/hook")).toBeUndefined();
  });

  it("WEBHOOK_ALLOW_PRIVATE_TARGETS lets production reach private addresses, still over HTTPS", () => {
    const allow = { production: true, allowPrivate: true };
    expect(refusal("https://10.0.0.5/hook", allow)).toBeUndefined();
    expect(refusal("http://10.0.0.5/hook", allow)).toBe("bad_input");
  });

  it("development and tests allow plain HTTP to loopback only", () => {
    expect(refusal("http://127.0.0.1:4010/hook", DEV)).toBeUndefined();
    expect(refusal("http://localhost:4010/hook", DEV)).toBeUndefined();
    expect(refusal("http://[::1]:4010/hook", DEV)).toBeUndefined();
    expect(refusal("http://hooks.example.com/hook", DEV)).toBe("bad_input");
    expect(refusal("http://10.0.0.5/hook", DEV)).toBe("bad_input");
  });

  it("classifies addresses", () => {
    for (const a of ["127.0.0.1", "10.1.2.3", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "::", "fe80::1", "fc00::1", "::ffff:10.0.0.1"]) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"]) expect(isPrivateAddress(a), a).toBe(false);
  });

  it("refuses at delivery a target that resolves to a private address in production", async () => {
    expect(await refusedTarget("https://127.0.0.1/hook", PROD)).toBe("private_address");
    expect(await refusedTarget("https://localhost/hook", PROD)).toBe("private_address");
    expect(await refusedTarget("http://127.0.0.1/hook", DEV)).toBeUndefined();
  });
});

describe("retries", () => {
  it("back off 1 min, 5 min, 30 min, 2 h, then 12 h, each within ±10%", () => {
    expect(RETRY_DELAYS_SECONDS).toEqual([60, 300, 1800, 7200, 43200]);
    for (let failed = 1; failed < MAX_ATTEMPTS; failed++) {
      const base = RETRY_DELAYS_SECONDS[Math.min(failed, RETRY_DELAYS_SECONDS.length) - 1] * 1000;
      expect(retryDelayMs(failed, () => 0)).toBe(Math.round(base * 0.9));
      expect(retryDelayMs(failed, () => 1)).toBe(Math.round(base * 1.1));
    }
  });
});

describe("signatures", () => {
  it("verify only the exact body, under the same secret, within the tolerance", () => {
    const at = new Date("2026-11-30T12:00:00Z");
    const body = JSON.stringify({ id: "e1", type: "consent.withdrawn" });
    const header = signatureHeader("whsec_test", body, at);
    expect(header).toMatch(/^t=1796040000,v1=[0-9a-f]{64}$/);
    expect(verifySignature("whsec_test", body, header, at)).toBe(true);
    expect(verifySignature("whsec_test", `${body} `, header, at)).toBe(false);
    expect(verifySignature("whsec_other", body, header, at)).toBe(false);
    expect(verifySignature("whsec_test", body, header, new Date(at.getTime() + 301_000))).toBe(false);
    expect(verifySignature("whsec_test", body, "garbage", at)).toBe(false);
  });
});

describe("the delivery connection checks the addresses it connects to (DNS rebinding)", () => {
  it("a name that resolves to a private address at connection time is refused in production, before any byte is sent", async () => {
    const { createServer } = await import("node:http");
    const { postTo, REFUSED_TARGET } = await import("../../src/modules/webhooks/webhook.target.js");
    let received = 0;
    const server = createServer((req, res) => {
      received += 1;
      req.resume();
      res.end("ok");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    try {
      // `localhost` stands for a rebinding name: whatever an earlier check saw, the connection resolves it privately.
      const url = `http://localhost:${port}/hook`;
      const refused = await postTo(url, {}, "{}", { ...PROD, timeoutMs: 2000 }).then(
        () => undefined,
        (error: Error) => error.name,
      );
      expect(refused).toBe(REFUSED_TARGET);
      expect(received).toBe(0);
      // Outside production (or with WEBHOOK_ALLOW_PRIVATE_TARGETS) the same call goes through.
      expect(await postTo(url, {}, "{}", { ...DEV, timeoutMs: 2000 })).toBe(200);
      expect(received).toBe(1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
