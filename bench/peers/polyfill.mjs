// PostGraphile 5 declares Node >= 22; the bench runs on Node 20, so this fills in what it uses
// of Node 22 (Promise.withResolvers, in grafast). Loaded with `node --import` before it.
if (typeof Promise.withResolvers !== "function") {
  Promise.withResolvers = function withResolvers() {
    let resolve;
    let reject;
    const promise = new this((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
