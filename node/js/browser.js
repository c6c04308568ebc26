// epay-widget/server outside Node: the server library signs with the project secret, which
// must never reach a browser. This entry is what bundlers get for a browser build.
throw new Error("epay-widget/server is server only (Node 18+): it holds your project secret, which must never reach the browser. Import 'epay-widget' in the page and sign on your server.");
