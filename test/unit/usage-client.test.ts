// What a usage event keeps of its client: a short device label, and a country only from a
// trusted proxy's header (GEO_COUNTRY_HEADER with TRUST_PROXY).
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";
import { clientCountry } from "../../src/http/client-country.js";
import { deviceOf } from "../../src/modules/usage/usage.device.js";

describe("deviceOf", () => {
  it("names browser (major version) and operating system", () => {
    expect(deviceOf("Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:131.0) Gecko/20100101 Firefox/131.0")).toBe("Firefox 131 on macOS");
    expect(deviceOf("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.85 Safari/537.36")).toBe(
      "Chrome 131 on Windows",
    );
  });

  it("is null when nothing is known, or the header is absurdly long", () => {
    expect(deviceOf(undefined)).toBeNull();
    expect(deviceOf("")).toBeNull();
    expect(deviceOf("curl/8.4.0")).toBeNull();
    expect(deviceOf(`Mozilla/5.0 ${"x".repeat(2000)}`)).toBeNull();
  });
});

describe("clientCountry", () => {
  const trusted = { geoCountryHeader: "cf-ipcountry", trustProxy: true };

  it("takes a two-letter code from the configured header, upper-cased", () => {
    expect(clientCountry({ "cf-ipcountry": "fr" }, trusted)).toBe("FR");
    expect(clientCountry({ "cf-ipcountry": " DE " }, trusted)).toBe("DE");
  });

  it("keeps nothing else: unknown (XX), Tor (T1), names, several values, no header", () => {
    for (const value of ["XX", "T1", "France", "", "F"]) expect(clientCountry({ "cf-ipcountry": value }, trusted), value).toBeNull();
    expect(clientCountry({ "cf-ipcountry": ["FR", "DE"] } as never, trusted)).toBeNull();
    expect(clientCountry({}, trusted)).toBeNull();
  });

  it("reads nothing unless the header is configured and the proxy trusted", () => {
    expect(clientCountry({ "cf-ipcountry": "FR" }, { geoCountryHeader: undefined, trustProxy: true })).toBeNull();
    expect(clientCountry({ "cf-ipcountry": "FR" }, { geoCountryHeader: "cf-ipcountry", trustProxy: false })).toBeNull();
  });
});

describe("GEO_COUNTRY_HEADER", () => {
  it("is off by default, and kept in lower case", () => {
    expect(loadConfig({}).geoCountryHeader).toBeUndefined();
    expect(loadConfig({ GEO_COUNTRY_HEADER: "CF-IPCountry", TRUST_PROXY: "true" }).geoCountryHeader).toBe("cf-ipcountry");
  });

  it("stops the start without TRUST_PROXY, or when it is not a header name", () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).problems;
      }
      throw new Error("loadConfig did not throw");
    };
    expect(problems({ GEO_COUNTRY_HEADER: "cf-ipcountry" })).toEqual([expect.stringMatching(/^GEO_COUNTRY_HEADER needs TRUST_PROXY=true/)]);
    expect(problems({ GEO_COUNTRY_HEADER: "cf ipcountry:", TRUST_PROXY: "true" })).toEqual([
      expect.stringMatching(/^GEO_COUNTRY_HEADER must be an HTTP header name/),
    ]);
  });
});
