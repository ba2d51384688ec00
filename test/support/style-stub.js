// Jest stand-in for stylesheet imports of the web app (styles are not under test in Node).
module.exports = {};
