// An ES module that corsdemo's API serves: the page loads it with
// <script type="module" src> and with import(). Both are CORS requests, so
// it runs only when its route answers with Access-Control-Allow-Origin.
(globalThis.corsdemoRan ??= []).push(import.meta.url);

export const message = "the module ran: its route sent Access-Control-Allow-Origin";
