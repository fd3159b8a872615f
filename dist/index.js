import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 785:
/***/ ((__unused_webpack_module, exports) => {


Object.defineProperty(exports, "__esModule", ({ value: true }));
// This is an empty module that is served up when outside of a workerd environment
// See the `exports` field in package.json
exports["default"] = {};
//# sourceMappingURL=empty.js.map

/***/ }),

/***/ 6122:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



//Parse method copied from https://github.com/brianc/node-postgres
//Copyright (c) 2010-2014 Brian Carlson (brian.m.carlson@gmail.com)
//MIT License

//parses a connection string
function parse(str, options = {}) {
  //unix socket
  if (str.charAt(0) === '/') {
    const config = str.split(' ')
    return { host: config[0], database: config[1] }
  }

  // Check for empty host in URL

  const config = Object.create(null)
  let result
  let dummyHost = false
  if (/ |%[^a-f0-9]|%[a-f0-9][^a-f0-9]/i.test(str)) {
    // Ensure spaces are encoded as %20
    str = encodeURI(str).replace(/%25(\d\d)/g, '%$1')
  }

  try {
    try {
      result = new URL(str, 'postgres://base')
    } catch (e) {
      // The URL is invalid so try again with a dummy host
      result = new URL(str.replace('@/', '@___DUMMY___/'), 'postgres://base')
      dummyHost = true
    }
  } catch (err) {
    // Remove the input from the error message to avoid leaking sensitive information
    err.input && (err.input = '*****REDACTED*****')
    throw err
  }

  // We'd like to use Object.fromEntries() here but Node.js 10 does not support it
  for (const entry of result.searchParams.entries()) {
    config[entry[0]] = entry[1]
  }

  config.user = config.user || decodeURIComponent(result.username)
  config.password = config.password || decodeURIComponent(result.password)

  if (result.protocol == 'socket:') {
    config.host = decodeURI(result.pathname)
    config.database = result.searchParams.get('db')
    config.client_encoding = result.searchParams.get('encoding')
    return config
  }
  const hostname = (dummyHost ? '' : result.hostname).replace(/^\[(.+)\]$/, '$1')
  if (!config.host) {
    // Only set the host if there is no equivalent query param.
    config.host = decodeURIComponent(hostname)
  } else if (hostname && /^%2f/i.test(hostname)) {
    // Only prepend the hostname to the pathname if it is not a URL encoded Unix socket host.
    result.pathname = hostname + result.pathname
  }
  if (!config.port) {
    // Only set the port if there is no equivalent query param.
    config.port = result.port
  }

  const pathname = result.pathname.slice(1) || null
  config.database = pathname ? decodeURI(pathname) : null

  if (config.ssl === 'true' || config.ssl === '1') {
    config.ssl = true
  }

  if (config.ssl === '0') {
    config.ssl = false
  }

  if (config.sslcert || config.sslkey || config.sslrootcert || config.sslmode) {
    config.ssl = {}
  }

  // sslnegotiation=direct implies SSL is in use (libpq requires sslmode>=require),
  // so enable SSL if the connection string did not otherwise configure it.
  if (config.sslnegotiation === 'direct' && config.ssl === undefined) {
    config.ssl = true
  }

  // Only try to load fs if we expect to read from the disk
  const fs = config.sslcert || config.sslkey || config.sslrootcert ? __nccwpck_require__(9896) : null

  if (config.sslcert) {
    config.ssl.cert = fs.readFileSync(config.sslcert).toString()
  }

  if (config.sslkey) {
    config.ssl.key = fs.readFileSync(config.sslkey).toString()
  }

  if (config.sslrootcert) {
    config.ssl.ca = fs.readFileSync(config.sslrootcert).toString()
  }

  if (options.useLibpqCompat && config.uselibpqcompat) {
    throw new Error('Both useLibpqCompat and uselibpqcompat are set. Please use only one of them.')
  }

  if (config.uselibpqcompat === 'true' || options.useLibpqCompat) {
    switch (config.sslmode) {
      case 'disable': {
        config.ssl = false
        break
      }
      case 'prefer': {
        config.ssl.rejectUnauthorized = false
        break
      }
      case 'require': {
        if (config.sslrootcert) {
          // If a root CA is specified, behavior of `sslmode=require` will be the same as that of `verify-ca`
          config.ssl.checkServerIdentity = function () {}
        } else {
          config.ssl.rejectUnauthorized = false
        }
        break
      }
      case 'verify-ca': {
        if (!config.ssl.ca) {
          throw new Error(
            'SECURITY WARNING: Using sslmode=verify-ca requires specifying a CA with sslrootcert. If a public CA is used, verify-ca allows connections to a server that somebody else may have registered with the CA, making you vulnerable to Man-in-the-Middle attacks. Either specify a custom CA certificate with sslrootcert parameter or use sslmode=verify-full for proper security.'
          )
        }
        config.ssl.checkServerIdentity = function () {}
        break
      }
      case 'verify-full': {
        break
      }
    }
  } else {
    switch (config.sslmode) {
      case 'disable': {
        config.ssl = false
        break
      }
      case 'prefer':
      case 'require':
      case 'verify-ca':
      case 'verify-full': {
        if (config.sslmode !== 'verify-full') {
          deprecatedSslModeWarning(config.sslmode)
        }
        break
      }
      case 'no-verify': {
        config.ssl.rejectUnauthorized = false
        break
      }
    }
  }

  return config
}

// convert pg-connection-string ssl config to a ClientConfig.ConnectionOptions
function toConnectionOptions(sslConfig) {
  const connectionOptions = Object.entries(sslConfig).reduce((c, [key, value]) => {
    // we explicitly check for undefined and null instead of `if (value)` because some
    // options accept falsy values. Example: `ssl.rejectUnauthorized = false`
    if (value !== undefined && value !== null) {
      c[key] = value
    }

    return c
  }, Object.create(null))

  return connectionOptions
}

// convert pg-connection-string config to a ClientConfig
function toClientConfig(config) {
  const poolConfig = Object.entries(config).reduce((c, [key, value]) => {
    if (key === 'ssl') {
      const sslConfig = value

      if (typeof sslConfig === 'boolean') {
        c[key] = sslConfig
      }

      if (typeof sslConfig === 'object') {
        c[key] = toConnectionOptions(sslConfig)
      }
    } else if (value !== undefined && value !== null) {
      if (key === 'port') {
        // when port is not specified, it is converted into an empty string
        // we want to avoid NaN or empty string as a values in ClientConfig
        if (value !== '') {
          const v = parseInt(value, 10)
          if (isNaN(v)) {
            throw new Error(`Invalid ${key}: ${value}`)
          }

          c[key] = v
        }
      } else {
        c[key] = value
      }
    }

    return c
  }, Object.create(null))

  return poolConfig
}

// parses a connection string into ClientConfig
function parseIntoClientConfig(str) {
  return toClientConfig(parse(str))
}

function deprecatedSslModeWarning(sslmode) {
  if (!deprecatedSslModeWarning.warned && typeof process !== 'undefined' && process.emitWarning) {
    deprecatedSslModeWarning.warned = true
    process.emitWarning(`SECURITY WARNING: The SSL modes 'prefer', 'require', and 'verify-ca' are treated as aliases for 'verify-full'.
In the next major version (pg-connection-string v3.0.0 and pg v9.0.0), these modes will adopt standard libpq semantics, which have weaker security guarantees.

To prepare for this change:
- If you want the current behavior, explicitly use 'sslmode=verify-full'
- If you want libpq compatibility now, use 'uselibpqcompat=true&sslmode=${sslmode}'

See https://www.postgresql.org/docs/current/libpq-ssl.html for libpq SSL mode definitions.`)
  }
}

module.exports = parse

parse.parse = parse
parse.toClientConfig = toClientConfig
parse.parseIntoClientConfig = parseIntoClientConfig


/***/ }),

/***/ 2299:
/***/ ((module) => {



// selected so (BASE - 1) * 0x100000000 + 0xffffffff is a safe integer
var BASE = 1000000;

function readInt8(buffer) {
	var high = buffer.readInt32BE(0);
	var low = buffer.readUInt32BE(4);
	var sign = '';

	if (high < 0) {
		high = ~high + (low === 0);
		low = (~low + 1) >>> 0;
		sign = '-';
	}

	var result = '';
	var carry;
	var t;
	var digits;
	var pad;
	var l;
	var i;

	{
		carry = high % BASE;
		high = high / BASE >>> 0;

		t = 0x100000000 * carry + low;
		low = t / BASE >>> 0;
		digits = '' + (t - BASE * low);

		if (low === 0 && high === 0) {
			return sign + digits + result;
		}

		pad = '';
		l = 6 - digits.length;

		for (i = 0; i < l; i++) {
			pad += '0';
		}

		result = pad + digits + result;
	}

	{
		carry = high % BASE;
		high = high / BASE >>> 0;

		t = 0x100000000 * carry + low;
		low = t / BASE >>> 0;
		digits = '' + (t - BASE * low);

		if (low === 0 && high === 0) {
			return sign + digits + result;
		}

		pad = '';
		l = 6 - digits.length;

		for (i = 0; i < l; i++) {
			pad += '0';
		}

		result = pad + digits + result;
	}

	{
		carry = high % BASE;
		high = high / BASE >>> 0;

		t = 0x100000000 * carry + low;
		low = t / BASE >>> 0;
		digits = '' + (t - BASE * low);

		if (low === 0 && high === 0) {
			return sign + digits + result;
		}

		pad = '';
		l = 6 - digits.length;

		for (i = 0; i < l; i++) {
			pad += '0';
		}

		result = pad + digits + result;
	}

	{
		carry = high % BASE;
		t = 0x100000000 * carry + low;
		digits = '' + t % BASE;

		return sign + digits + result;
	}
}

module.exports = readInt8;


/***/ }),

/***/ 7558:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {


const EventEmitter = (__nccwpck_require__(4434).EventEmitter)

const NOOP = function () {}

const removeWhere = (list, predicate) => {
  const i = list.findIndex(predicate)

  return i === -1 ? undefined : list.splice(i, 1)[0]
}

class IdleItem {
  constructor(client, idleListener, timeoutId) {
    this.client = client
    this.idleListener = idleListener
    this.timeoutId = timeoutId
  }
}

class PendingItem {
  constructor(callback) {
    this.callback = callback
  }
}

function throwOnDoubleRelease() {
  throw new Error('Release called on client which has already been released to the pool.')
}

function promisify(Promise, callback) {
  if (callback) {
    return { callback: callback, result: undefined }
  }
  let rej
  let res
  const cb = function (err, client) {
    err ? rej(err) : res(client)
  }
  const result = new Promise(function (resolve, reject) {
    res = resolve
    rej = reject
  }).catch((err) => {
    // replace the stack trace that leads to `TCP.onStreamRead` with one that leads back to the
    // application that created the query
    Error.captureStackTrace(err)
    throw err
  })
  return { callback: cb, result: result }
}

function makeIdleListener(pool, client) {
  return function idleListener(err) {
    err.client = client

    client.removeListener('error', idleListener)
    client.on('error', () => {
      pool.log('additional client error after disconnection due to error', err)
    })
    pool._remove(client)
    // TODO - document that once the pool emits an error
    // the client has already been closed & purged and is unusable
    pool.emit('error', err, client)
  }
}

class Pool extends EventEmitter {
  constructor(options, Client) {
    super()
    this.options = Object.assign({}, options)

    if (options != null && 'password' in options) {
      // "hiding" the password so it doesn't show up in stack traces
      // or if the client is console.logged
      Object.defineProperty(this.options, 'password', {
        configurable: true,
        enumerable: false,
        writable: true,
        value: options.password,
      })
    }
    if (options != null && options.ssl && options.ssl.key) {
      // "hiding" the ssl->key so it doesn't show up in stack traces
      // or if the client is console.logged
      Object.defineProperty(this.options.ssl, 'key', {
        enumerable: false,
      })
    }

    this.options.max = this.options.max || this.options.poolSize || 10
    this.options.min = this.options.min || 0
    this.options.maxUses = this.options.maxUses || Infinity
    this.options.allowExitOnIdle = this.options.allowExitOnIdle || false
    this.options.maxLifetimeSeconds = this.options.maxLifetimeSeconds || 0
    this.log = this.options.log || function () {}
    this.Client = this.options.Client || Client || (__nccwpck_require__(3273).Client)
    this.Promise = this.options.Promise || global.Promise

    if (typeof this.options.idleTimeoutMillis === 'undefined') {
      this.options.idleTimeoutMillis = 10000
    }

    this._clients = []
    this._idle = []
    this._expired = new WeakSet()
    this._pendingQueue = []
    this._endCallback = undefined
    this.ending = false
    this.ended = false
  }

  _promiseTry(f) {
    const Promise = this.Promise
    if (typeof Promise.try === 'function') {
      return Promise.try(f)
    }
    return new Promise((resolve) => resolve(f()))
  }

  _isFull() {
    return this._clients.length >= this.options.max
  }

  _isAboveMin() {
    return this._clients.length > this.options.min
  }

  _pulseQueue() {
    this.log('pulse queue')
    if (this.ended) {
      this.log('pulse queue ended')
      return
    }
    if (this.ending) {
      this.log('pulse queue on ending')
      if (this._idle.length) {
        this._idle.slice().map((item) => {
          this._remove(item.client)
        })
      }
      if (!this._clients.length) {
        this.ended = true
        this._endCallback()
      }
      return
    }

    // if we don't have any waiting, do nothing
    if (!this._pendingQueue.length) {
      this.log('no queued requests')
      return
    }
    // if we don't have any idle clients and we have no more room do nothing
    if (!this._idle.length && this._isFull()) {
      return
    }
    const pendingItem = this._pendingQueue.shift()
    if (this._idle.length) {
      const idleItem = this._idle.pop()
      clearTimeout(idleItem.timeoutId)
      const client = idleItem.client
      client.ref && client.ref()
      const idleListener = idleItem.idleListener

      return this._acquireClient(client, pendingItem, idleListener, false)
    }
    if (!this._isFull()) {
      return this.newClient(pendingItem)
    }
    throw new Error('unexpected condition')
  }

  _remove(client, callback) {
    const removed = removeWhere(this._idle, (item) => item.client === client)

    if (removed !== undefined) {
      clearTimeout(removed.timeoutId)
    }

    this._clients = this._clients.filter((c) => c !== client)
    const context = this
    client.end(() => {
      context.emit('remove', client)

      if (typeof callback === 'function') {
        callback()
      }
    })
  }

  connect(cb) {
    if (this.ending) {
      const err = new Error('Cannot use a pool after calling end on the pool')
      return cb ? cb(err) : this.Promise.reject(err)
    }

    const response = promisify(this.Promise, cb)
    const result = response.result

    // if we don't have to connect a new client, don't do so
    if (this._isFull() || this._idle.length) {
      // if we have idle clients schedule a pulse immediately
      if (this._idle.length) {
        process.nextTick(() => this._pulseQueue())
      }

      if (!this.options.connectionTimeoutMillis) {
        this._pendingQueue.push(new PendingItem(response.callback))
        return result
      }

      const queueCallback = (err, res, done) => {
        clearTimeout(tid)
        response.callback(err, res, done)
      }

      const pendingItem = new PendingItem(queueCallback)

      // set connection timeout on checking out an existing client
      const tid = setTimeout(() => {
        // remove the callback from pending waiters because
        // we're going to call it with a timeout error
        removeWhere(this._pendingQueue, (i) => i.callback === queueCallback)
        pendingItem.timedOut = true
        response.callback(new Error('timeout exceeded when trying to connect'))
      }, this.options.connectionTimeoutMillis)

      if (tid.unref) {
        tid.unref()
      }

      this._pendingQueue.push(pendingItem)
      return result
    }

    this.newClient(new PendingItem(response.callback))

    return result
  }

  newClient(pendingItem) {
    const client = new this.Client(this.options)
    this._clients.push(client)
    const idleListener = makeIdleListener(this, client)

    this.log('checking client timeout')

    // connection timeout logic
    let tid
    let timeoutHit = false
    if (this.options.connectionTimeoutMillis) {
      tid = setTimeout(() => {
        if (client.connection) {
          this.log('ending client due to timeout')
          timeoutHit = true
          client.connection.stream.destroy()
        } else if (!client.isConnected()) {
          this.log('ending client due to timeout')
          timeoutHit = true
          // force kill the node driver, and let libpq do its teardown
          client.end()
        }
      }, this.options.connectionTimeoutMillis)
    }

    this.log('connecting new client')
    client.connect((err) => {
      if (tid) {
        clearTimeout(tid)
      }
      client.on('error', idleListener)
      if (err) {
        this.log('client failed to connect', err)
        // remove the dead client from our list of clients
        this._clients = this._clients.filter((c) => c !== client)
        if (timeoutHit) {
          err = new Error('Connection terminated due to connection timeout', { cause: err })
        }

        // this client won\u2019t be released, so move on immediately
        this._pulseQueue()

        if (!pendingItem.timedOut) {
          pendingItem.callback(err, undefined, NOOP)
        }
      } else {
        this.log('new client connected')

        if (this.options.onConnect) {
          this._promiseTry(() => this.options.onConnect(client)).then(
            () => {
              this._afterConnect(client, pendingItem, idleListener)
            },
            (hookErr) => {
              this._clients = this._clients.filter((c) => c !== client)
              client.end(() => {
                this._pulseQueue()
                if (!pendingItem.timedOut) {
                  pendingItem.callback(hookErr, undefined, NOOP)
                }
              })
            }
          )
          return
        }

        return this._afterConnect(client, pendingItem, idleListener)
      }
    })
  }

  _afterConnect(client, pendingItem, idleListener) {
    if (this.options.maxLifetimeSeconds !== 0) {
      const maxLifetimeTimeout = setTimeout(() => {
        this.log('ending client due to expired lifetime')
        this._expired.add(client)
        const idleIndex = this._idle.findIndex((idleItem) => idleItem.client === client)
        if (idleIndex !== -1) {
          this._acquireClient(
            client,
            new PendingItem((err, client, clientRelease) => clientRelease()),
            idleListener,
            false
          )
        }
      }, this.options.maxLifetimeSeconds * 1000)

      maxLifetimeTimeout.unref()
      client.once('end', () => clearTimeout(maxLifetimeTimeout))
    }

    return this._acquireClient(client, pendingItem, idleListener, true)
  }

  // acquire a client for a pending work item
  _acquireClient(client, pendingItem, idleListener, isNew) {
    if (isNew) {
      this.emit('connect', client)
    }

    this.emit('acquire', client)

    client.release = this._releaseOnce(client, idleListener)

    client.removeListener('error', idleListener)

    if (!pendingItem.timedOut) {
      if (isNew && this.options.verify) {
        this.options.verify(client, (err) => {
          if (err) {
            client.release(err)
            return pendingItem.callback(err, undefined, NOOP)
          }

          pendingItem.callback(undefined, client, client.release)
        })
      } else {
        pendingItem.callback(undefined, client, client.release)
      }
    } else {
      if (isNew && this.options.verify) {
        this.options.verify(client, client.release)
      } else {
        client.release()
      }
    }
  }

  // returns a function that wraps _release and throws if called more than once
  _releaseOnce(client, idleListener) {
    let released = false

    return (err) => {
      if (released) {
        throwOnDoubleRelease()
      }

      released = true
      this._release(client, idleListener, err)
    }
  }

  // release a client back to the poll, include an error
  // to remove it from the pool
  _release(client, idleListener, err) {
    client.on('error', idleListener)

    client._poolUseCount = (client._poolUseCount || 0) + 1

    this.emit('release', err, client)

    // TODO(bmc): expose a proper, public interface _queryable and _ending
    if (err || this.ending || !client._queryable || client._ending || client._poolUseCount >= this.options.maxUses) {
      if (client._poolUseCount >= this.options.maxUses) {
        this.log('remove expended client')
      }

      return this._remove(client, this._pulseQueue.bind(this))
    }

    const isExpired = this._expired.has(client)
    if (isExpired) {
      this.log('remove expired client')
      this._expired.delete(client)
      return this._remove(client, this._pulseQueue.bind(this))
    }

    // idle timeout
    let tid
    if (this.options.idleTimeoutMillis && this._isAboveMin()) {
      tid = setTimeout(() => {
        if (this._isAboveMin()) {
          this.log('remove idle client')
          this._remove(client, this._pulseQueue.bind(this))
        }
      }, this.options.idleTimeoutMillis)

      if (this.options.allowExitOnIdle) {
        // allow Node to exit if this is all that's left
        tid.unref()
      }
    }

    if (this.options.allowExitOnIdle) {
      client.unref()
    }

    this._idle.push(new IdleItem(client, idleListener, tid))
    this._pulseQueue()
  }

  query(text, values, cb) {
    // guard clause against passing a function as the first parameter
    if (typeof text === 'function') {
      const response = promisify(this.Promise, text)
      setImmediate(function () {
        return response.callback(new Error('Passing a function as the first parameter to pool.query is not supported'))
      })
      return response.result
    }

    // allow plain text query without values, but callback
    if (typeof values === 'function') {
      cb = values
      values = undefined
    }
    const response = promisify(this.Promise, cb)
    cb = response.callback

    this.connect((err, client) => {
      if (err) {
        return cb(err)
      }

      let clientReleased = false
      const onError = (err) => {
        if (clientReleased) {
          return
        }
        clientReleased = true
        client.release(err)
        cb(err)
      }

      client.once('error', onError)
      this.log('dispatching query')
      try {
        client.query(text, values, (err, res) => {
          this.log('query dispatched')
          client.removeListener('error', onError)
          if (clientReleased) {
            return
          }
          clientReleased = true
          client.release(err)
          if (err) {
            return cb(err)
          }
          return cb(undefined, res)
        })
      } catch (err) {
        client.release(err)
        return cb(err)
      }
    })
    return response.result
  }

  end(cb) {
    this.log('ending')
    if (this.ending) {
      const err = new Error('Called end on pool more than once')
      return cb ? cb(err) : this.Promise.reject(err)
    }
    this.ending = true
    const promised = promisify(this.Promise, cb)
    this._endCallback = promised.callback
    this._pulseQueue()
    return promised.result
  }

  get waitingCount() {
    return this._pendingQueue.length
  }

  get idleCount() {
    return this._idle.length
  }

  get expiredCount() {
    return this._clients.reduce((acc, client) => acc + (this._expired.has(client) ? 1 : 0), 0)
  }

  get totalCount() {
    return this._clients.length
  }
}
module.exports = Pool


/***/ }),

/***/ 9971:
/***/ ((__unused_webpack_module, exports) => {


Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.BufferReader = void 0;
class BufferReader {
    constructor(offset = 0) {
        this.offset = offset;
        this.buffer = Buffer.allocUnsafe(0);
        // TODO(bmc): support non-utf8 encoding?
        this.encoding = 'utf-8';
    }
    setBuffer(offset, buffer) {
        this.offset = offset;
        this.buffer = buffer;
    }
    int16() {
        const result = this.buffer.readInt16BE(this.offset);
        this.offset += 2;
        return result;
    }
    byte() {
        const result = this.buffer[this.offset];
        this.offset++;
        return result;
    }
    int32() {
        const result = this.buffer.readInt32BE(this.offset);
        this.offset += 4;
        return result;
    }
    uint32() {
        const result = this.buffer.readUInt32BE(this.offset);
        this.offset += 4;
        return result;
    }
    string(length) {
        const result = this.buffer.toString(this.encoding, this.offset, this.offset + length);
        this.offset += length;
        return result;
    }
    cstring() {
        const start = this.offset;
        let end = start;
        // eslint-disable-next-line no-empty
        while (this.buffer[end++]) { }
        this.offset = end;
        return this.buffer.toString(this.encoding, start, end - 1);
    }
    bytes(length) {
        const result = this.buffer.slice(this.offset, this.offset + length);
        this.offset += length;
        return result;
    }
}
exports.BufferReader = BufferReader;
//# sourceMappingURL=buffer-reader.js.map

/***/ }),

/***/ 9315:
/***/ ((__unused_webpack_module, exports) => {


//binary data writer tuned for encoding binary specific to the postgres binary protocol
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.Writer = void 0;
class Writer {
    constructor(size = 256) {
        this.size = size;
        this.offset = 5;
        this.headerPosition = 0;
        this.buffer = Buffer.allocUnsafe(size);
    }
    ensure(size) {
        const remaining = this.buffer.length - this.offset;
        if (remaining < size) {
            const oldBuffer = this.buffer;
            // exponential growth factor of around ~ 1.5
            // https://stackoverflow.com/questions/2269063/buffer-growth-strategy
            const newSize = oldBuffer.length + (oldBuffer.length >> 1) + size;
            this.buffer = Buffer.allocUnsafe(newSize);
            oldBuffer.copy(this.buffer, 0, 0, this.offset);
        }
    }
    addInt32(num) {
        this.ensure(4);
        this.buffer[this.offset++] = (num >>> 24) & 0xff;
        this.buffer[this.offset++] = (num >>> 16) & 0xff;
        this.buffer[this.offset++] = (num >>> 8) & 0xff;
        this.buffer[this.offset++] = (num >>> 0) & 0xff;
        return this;
    }
    addInt16(num) {
        this.ensure(2);
        this.buffer[this.offset++] = (num >>> 8) & 0xff;
        this.buffer[this.offset++] = (num >>> 0) & 0xff;
        return this;
    }
    addCString(string) {
        if (!string) {
            this.ensure(1);
        }
        else {
            const len = Buffer.byteLength(string);
            this.ensure(len + 1); // +1 for null terminator
            this.buffer.write(string, this.offset, 'utf-8');
            this.offset += len;
        }
        this.buffer[this.offset++] = 0; // null terminator
        return this;
    }
    addString(string = '') {
        const len = Buffer.byteLength(string);
        this.ensure(len);
        this.buffer.write(string, this.offset);
        this.offset += len;
        return this;
    }
    // Write an Int32 byte-length prefix immediately followed by the string's UTF-8
    // bytes. Postgres' Bind wire format prefixes every parameter with its length,
    // and doing it in one method computes Buffer.byteLength ONCE \u2014 the previous
    // `addInt32(Buffer.byteLength(s)).addString(s)` pairing scanned the string
    // three times (byteLength for the prefix, byteLength again inside addString,
    // then the encode), which is costly for large text parameters.
    addInt32PrefixedString(string) {
        const len = Buffer.byteLength(string);
        this.ensure(4 + len);
        const buffer = this.buffer;
        let offset = this.offset;
        buffer[offset++] = (len >>> 24) & 0xff;
        buffer[offset++] = (len >>> 16) & 0xff;
        buffer[offset++] = (len >>> 8) & 0xff;
        buffer[offset++] = (len >>> 0) & 0xff;
        buffer.write(string, offset, 'utf-8');
        this.offset = offset + len;
        return this;
    }
    add(otherBuffer) {
        this.ensure(otherBuffer.length);
        otherBuffer.copy(this.buffer, this.offset);
        this.offset += otherBuffer.length;
        return this;
    }
    /**
     * Appends an uninitialized block of {@link size} bytes to the buffer and returns its offset.
     */
    reserveUnsafe(size) {
        const offset = this.offset;
        this.ensure(size);
        this.offset += size;
        return offset;
    }
    join(code) {
        if (code) {
            this.buffer[this.headerPosition] = code;
            //length is everything in this packet minus the code
            const length = this.offset - (this.headerPosition + 1);
            this.buffer.writeInt32BE(length, this.headerPosition + 1);
        }
        return this.buffer.slice(code ? 0 : 5, this.offset);
    }
    flush(code) {
        const result = this.join(code);
        this.offset = 5;
        this.headerPosition = 0;
        this.buffer = Buffer.allocUnsafe(this.size);
        return result;
    }
    clear() {
        this.offset = 5;
        this.headerPosition = 0;
    }
}
exports.Writer = Writer;
//# sourceMappingURL=buffer-writer.js.map

/***/ }),

/***/ 4233:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {


Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.DatabaseError = exports.serialize = void 0;
exports.parse = parse;
const messages_1 = __nccwpck_require__(5809);
Object.defineProperty(exports, "DatabaseError", ({ enumerable: true, get: function () { return messages_1.DatabaseError; } }));
const serializer_1 = __nccwpck_require__(6513);
Object.defineProperty(exports, "serialize", ({ enumerable: true, get: function () { return serializer_1.serialize; } }));
const parser_1 = __nccwpck_require__(3318);
function parse(stream, callback) {
    const parser = new parser_1.Parser();
    stream.on('data', (buffer) => parser.parse(buffer, callback));
    return new Promise((resolve) => stream.on('end', () => resolve()));
}
//# sourceMappingURL=index.js.map

/***/ }),

/***/ 5809:
/***/ ((__unused_webpack_module, exports) => {


Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.NoticeMessage = exports.DataRowMessage = exports.CommandCompleteMessage = exports.ReadyForQueryMessage = exports.NotificationResponseMessage = exports.BackendKeyDataMessage = exports.AuthenticationMD5Password = exports.ParameterStatusMessage = exports.ParameterDescriptionMessage = exports.RowDescriptionMessage = exports.Field = exports.CopyResponse = exports.CopyDataMessage = exports.DatabaseError = exports.copyDone = exports.emptyQuery = exports.replicationStart = exports.portalSuspended = exports.noData = exports.closeComplete = exports.bindComplete = exports.parseComplete = void 0;
exports.parseComplete = {
    name: 'parseComplete',
    length: 5,
};
exports.bindComplete = {
    name: 'bindComplete',
    length: 5,
};
exports.closeComplete = {
    name: 'closeComplete',
    length: 5,
};
exports.noData = {
    name: 'noData',
    length: 5,
};
exports.portalSuspended = {
    name: 'portalSuspended',
    length: 5,
};
exports.replicationStart = {
    name: 'replicationStart',
    length: 4,
};
exports.emptyQuery = {
    name: 'emptyQuery',
    length: 4,
};
exports.copyDone = {
    name: 'copyDone',
    length: 4,
};
class DatabaseError extends Error {
    constructor(message, length, name) {
        super(message);
        this.length = length;
        this.name = name;
    }
}
exports.DatabaseError = DatabaseError;
class CopyDataMessage {
    constructor(length, chunk) {
        this.length = length;
        this.chunk = chunk;
        this.name = 'copyData';
    }
}
exports.CopyDataMessage = CopyDataMessage;
class CopyResponse {
    constructor(length, name, binary, columnCount) {
        this.length = length;
        this.name = name;
        this.binary = binary;
        this.columnTypes = new Array(columnCount);
    }
}
exports.CopyResponse = CopyResponse;
class Field {
    constructor(name, tableID, columnID, dataTypeID, dataTypeSize, dataTypeModifier, format) {
        this.name = name;
        this.tableID = tableID;
        this.columnID = columnID;
        this.dataTypeID = dataTypeID;
        this.dataTypeSize = dataTypeSize;
        this.dataTypeModifier = dataTypeModifier;
        this.format = format;
    }
}
exports.Field = Field;
class RowDescriptionMessage {
    constructor(length, fieldCount) {
        this.length = length;
        this.fieldCount = fieldCount;
        this.name = 'rowDescription';
        this.fields = new Array(this.fieldCount);
    }
}
exports.RowDescriptionMessage = RowDescriptionMessage;
class ParameterDescriptionMessage {
    constructor(length, parameterCount) {
        this.length = length;
        this.parameterCount = parameterCount;
        this.name = 'parameterDescription';
        this.dataTypeIDs = new Array(this.parameterCount);
    }
}
exports.ParameterDescriptionMessage = ParameterDescriptionMessage;
class ParameterStatusMessage {
    constructor(length, parameterName, parameterValue) {
        this.length = length;
        this.parameterName = parameterName;
        this.parameterValue = parameterValue;
        this.name = 'parameterStatus';
    }
}
exports.ParameterStatusMessage = ParameterStatusMessage;
class AuthenticationMD5Password {
    constructor(length, salt) {
        this.length = length;
        this.salt = salt;
        this.name = 'authenticationMD5Password';
    }
}
exports.AuthenticationMD5Password = AuthenticationMD5Password;
class BackendKeyDataMessage {
    constructor(length, processID, secretKey) {
        this.length = length;
        this.processID = processID;
        this.secretKey = secretKey;
        this.name = 'backendKeyData';
    }
}
exports.BackendKeyDataMessage = BackendKeyDataMessage;
class NotificationResponseMessage {
    constructor(length, processId, channel, payload) {
        this.length = length;
        this.processId = processId;
        this.channel = channel;
        this.payload = payload;
        this.name = 'notification';
    }
}
exports.NotificationResponseMessage = NotificationResponseMessage;
class ReadyForQueryMessage {
    constructor(length, status) {
        this.length = length;
        this.status = status;
        this.name = 'readyForQuery';
    }
}
exports.ReadyForQueryMessage = ReadyForQueryMessage;
class CommandCompleteMessage {
    constructor(length, text) {
        this.length = length;
        this.text = text;
        this.name = 'commandComplete';
    }
}
exports.CommandCompleteMessage = CommandCompleteMessage;
class DataRowMessage {
    constructor(length, fields) {
        this.length = length;
        this.fields = fields;
        this.name = 'dataRow';
        this.fieldCount = fields.length;
    }
}
exports.DataRowMessage = DataRowMessage;
class NoticeMessage {
    constructor(length, message) {
        this.length = length;
        this.message = message;
        this.name = 'notice';
    }
}
exports.NoticeMessage = NoticeMessage;
//# sourceMappingURL=messages.js.map

/***/ }),

/***/ 3318:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {


Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.Parser = void 0;
const messages_1 = __nccwpck_require__(5809);
const buffer_reader_1 = __nccwpck_require__(9971);
// every message is prefixed with a single byte
const CODE_LENGTH = 1;
// every message has an int32 length which includes itself but does
// NOT include the code in the length
const LEN_LENGTH = 4;
const HEADER_LENGTH = CODE_LENGTH + LEN_LENGTH;
// A placeholder for a `BackendMessage`\u2019s length value that will be set after construction.
const LATEINIT_LENGTH = -1;
const emptyBuffer = Buffer.allocUnsafe(0);
class Parser {
    constructor(opts) {
        this.buffer = emptyBuffer;
        this.bufferLength = 0;
        this.bufferOffset = 0;
        this.reader = new buffer_reader_1.BufferReader();
        if ((opts === null || opts === void 0 ? void 0 : opts.mode) === 'binary') {
            throw new Error('Binary mode not supported yet');
        }
        this.mode = (opts === null || opts === void 0 ? void 0 : opts.mode) || 'text';
    }
    parse(buffer, callback) {
        this.mergeBuffer(buffer);
        const bufferFullLength = this.bufferOffset + this.bufferLength;
        let offset = this.bufferOffset;
        while (offset + HEADER_LENGTH <= bufferFullLength) {
            // code is 1 byte long - it identifies the message type
            const code = this.buffer[offset];
            // length is 1 Uint32BE - it is the length of the message EXCLUDING the code
            const length = this.buffer.readUInt32BE(offset + CODE_LENGTH);
            const fullMessageLength = CODE_LENGTH + length;
            if (fullMessageLength + offset <= bufferFullLength) {
                const message = this.handlePacket(offset + HEADER_LENGTH, code, length, this.buffer);
                callback(message);
                offset += fullMessageLength;
            }
            else {
                break;
            }
        }
        if (offset === bufferFullLength) {
            // No more use for the buffer
            this.buffer = emptyBuffer;
            this.bufferLength = 0;
            this.bufferOffset = 0;
        }
        else {
            // Adjust the cursors of remainingBuffer
            this.bufferLength = bufferFullLength - offset;
            this.bufferOffset = offset;
        }
    }
    mergeBuffer(buffer) {
        if (this.bufferLength > 0) {
            const newLength = this.bufferLength + buffer.byteLength;
            const newFullLength = newLength + this.bufferOffset;
            if (newFullLength > this.buffer.byteLength) {
                // We can't concat the new buffer with the remaining one
                let newBuffer;
                if (newLength <= this.buffer.byteLength && this.bufferOffset >= this.bufferLength) {
                    // We can move the relevant part to the beginning of the buffer instead of allocating a new buffer
                    newBuffer = this.buffer;
                }
                else {
                    // Allocate a new larger buffer
                    let newBufferLength = this.buffer.byteLength * 2;
                    while (newLength >= newBufferLength) {
                        newBufferLength *= 2;
                    }
                    newBuffer = Buffer.allocUnsafe(newBufferLength);
                }
                // Move the remaining buffer to the new one
                this.buffer.copy(newBuffer, 0, this.bufferOffset, this.bufferOffset + this.bufferLength);
                this.buffer = newBuffer;
                this.bufferOffset = 0;
            }
            // Concat the new buffer with the remaining one
            buffer.copy(this.buffer, this.bufferOffset + this.bufferLength);
            this.bufferLength = newLength;
        }
        else {
            this.buffer = buffer;
            this.bufferOffset = 0;
            this.bufferLength = buffer.byteLength;
        }
    }
    handlePacket(offset, code, length, bytes) {
        const { reader } = this;
        // NOTE: This undesirably retains the buffer in `this.reader` if the `parse*Message` calls below throw. However, those should only throw in the case of a protocol error, which normally results in the reader being discarded.
        reader.setBuffer(offset, bytes);
        let message;
        switch (code) {
            case 50 /* MessageCodes.BindComplete */:
                message = messages_1.bindComplete;
                break;
            case 49 /* MessageCodes.ParseComplete */:
                message = messages_1.parseComplete;
                break;
            case 51 /* MessageCodes.CloseComplete */:
                message = messages_1.closeComplete;
                break;
            case 110 /* MessageCodes.NoData */:
                message = messages_1.noData;
                break;
            case 115 /* MessageCodes.PortalSuspended */:
                message = messages_1.portalSuspended;
                break;
            case 99 /* MessageCodes.CopyDone */:
                message = messages_1.copyDone;
                break;
            case 87 /* MessageCodes.ReplicationStart */:
                message = messages_1.replicationStart;
                break;
            case 73 /* MessageCodes.EmptyQuery */:
                message = messages_1.emptyQuery;
                break;
            case 68 /* MessageCodes.DataRow */:
                message = parseDataRowMessage(reader);
                break;
            case 67 /* MessageCodes.CommandComplete */:
                message = parseCommandCompleteMessage(reader);
                break;
            case 90 /* MessageCodes.ReadyForQuery */:
                message = parseReadyForQueryMessage(reader);
                break;
            case 65 /* MessageCodes.NotificationResponse */:
                message = parseNotificationMessage(reader);
                break;
            case 82 /* MessageCodes.AuthenticationResponse */:
                message = parseAuthenticationResponse(reader, length);
                break;
            case 83 /* MessageCodes.ParameterStatus */:
                message = parseParameterStatusMessage(reader);
                break;
            case 75 /* MessageCodes.BackendKeyData */:
                message = parseBackendKeyData(reader);
                break;
            case 69 /* MessageCodes.ErrorMessage */:
                message = parseErrorMessage(reader, 'error');
                break;
            case 78 /* MessageCodes.NoticeMessage */:
                message = parseErrorMessage(reader, 'notice');
                break;
            case 84 /* MessageCodes.RowDescriptionMessage */:
                message = parseRowDescriptionMessage(reader);
                break;
            case 116 /* MessageCodes.ParameterDescriptionMessage */:
                message = parseParameterDescriptionMessage(reader);
                break;
            case 71 /* MessageCodes.CopyIn */:
                message = parseCopyInMessage(reader);
                break;
            case 72 /* MessageCodes.CopyOut */:
                message = parseCopyOutMessage(reader);
                break;
            case 100 /* MessageCodes.CopyData */:
                message = parseCopyData(reader, length);
                break;
            default:
                return new messages_1.DatabaseError('received invalid response: ' + code.toString(16), length, 'error');
        }
        reader.setBuffer(0, emptyBuffer);
        message.length = length;
        return message;
    }
}
exports.Parser = Parser;
const parseReadyForQueryMessage = (reader) => {
    const status = reader.string(1);
    return new messages_1.ReadyForQueryMessage(LATEINIT_LENGTH, status);
};
const parseCommandCompleteMessage = (reader) => {
    const text = reader.cstring();
    return new messages_1.CommandCompleteMessage(LATEINIT_LENGTH, text);
};
const parseCopyData = (reader, length) => {
    const chunk = reader.bytes(length - 4);
    return new messages_1.CopyDataMessage(LATEINIT_LENGTH, chunk);
};
const parseCopyInMessage = (reader) => parseCopyMessage(reader, 'copyInResponse');
const parseCopyOutMessage = (reader) => parseCopyMessage(reader, 'copyOutResponse');
const parseCopyMessage = (reader, messageName) => {
    const isBinary = reader.byte() !== 0;
    const columnCount = reader.int16();
    const message = new messages_1.CopyResponse(LATEINIT_LENGTH, messageName, isBinary, columnCount);
    for (let i = 0; i < columnCount; i++) {
        message.columnTypes[i] = reader.int16();
    }
    return message;
};
const parseNotificationMessage = (reader) => {
    const processId = reader.int32();
    const channel = reader.cstring();
    const payload = reader.cstring();
    return new messages_1.NotificationResponseMessage(LATEINIT_LENGTH, processId, channel, payload);
};
const parseRowDescriptionMessage = (reader) => {
    const fieldCount = reader.int16();
    const message = new messages_1.RowDescriptionMessage(LATEINIT_LENGTH, fieldCount);
    for (let i = 0; i < fieldCount; i++) {
        message.fields[i] = parseField(reader);
    }
    return message;
};
const parseField = (reader) => {
    const name = reader.cstring();
    const tableID = reader.uint32();
    const columnID = reader.int16();
    const dataTypeID = reader.uint32();
    const dataTypeSize = reader.int16();
    const dataTypeModifier = reader.int32();
    const mode = reader.int16() === 0 ? 'text' : 'binary';
    return new messages_1.Field(name, tableID, columnID, dataTypeID, dataTypeSize, dataTypeModifier, mode);
};
const parseParameterDescriptionMessage = (reader) => {
    const parameterCount = reader.int16();
    const message = new messages_1.ParameterDescriptionMessage(LATEINIT_LENGTH, parameterCount);
    for (let i = 0; i < parameterCount; i++) {
        // OIDs are unsigned, same as dataTypeID in parseField above
        message.dataTypeIDs[i] = reader.uint32();
    }
    return message;
};
const parseDataRowMessage = (reader) => {
    const fieldCount = reader.int16();
    const fields = new Array(fieldCount);
    for (let i = 0; i < fieldCount; i++) {
        const len = reader.int32();
        // a -1 for length means the value of the field is null
        fields[i] = len === -1 ? null : reader.string(len);
    }
    return new messages_1.DataRowMessage(LATEINIT_LENGTH, fields);
};
const parseParameterStatusMessage = (reader) => {
    const name = reader.cstring();
    const value = reader.cstring();
    return new messages_1.ParameterStatusMessage(LATEINIT_LENGTH, name, value);
};
const parseBackendKeyData = (reader) => {
    const processID = reader.int32();
    const secretKey = reader.int32();
    return new messages_1.BackendKeyDataMessage(LATEINIT_LENGTH, processID, secretKey);
};
const parseAuthenticationResponse = (reader, length) => {
    const code = reader.int32();
    // TODO(bmc): maybe better types here
    const message = {
        name: 'authenticationOk',
        length,
    };
    switch (code) {
        case 0: // AuthenticationOk
            break;
        case 3: // AuthenticationCleartextPassword
            if (message.length === 8) {
                message.name = 'authenticationCleartextPassword';
            }
            break;
        case 5: // AuthenticationMD5Password
            if (message.length === 12) {
                message.name = 'authenticationMD5Password';
                const salt = reader.bytes(4);
                return new messages_1.AuthenticationMD5Password(LATEINIT_LENGTH, salt);
            }
            break;
        case 10: // AuthenticationSASL
            {
                message.name = 'authenticationSASL';
                message.mechanisms = [];
                let mechanism;
                do {
                    mechanism = reader.cstring();
                    if (mechanism) {
                        message.mechanisms.push(mechanism);
                    }
                } while (mechanism);
            }
            break;
        case 11: // AuthenticationSASLContinue
            message.name = 'authenticationSASLContinue';
            message.data = reader.string(length - 8);
            break;
        case 12: // AuthenticationSASLFinal
            message.name = 'authenticationSASLFinal';
            message.data = reader.string(length - 8);
            break;
        default:
            throw new Error('Unknown authenticationOk message type ' + code);
    }
    return message;
};
const parseErrorMessage = (reader, name) => {
    const fields = {};
    let fieldType = reader.string(1);
    while (fieldType !== '\0') {
        fields[fieldType] = reader.cstring();
        fieldType = reader.string(1);
    }
    const messageValue = fields.M;
    const message = name === 'notice'
        ? new messages_1.NoticeMessage(LATEINIT_LENGTH, messageValue)
        : new messages_1.DatabaseError(messageValue, LATEINIT_LENGTH, name);
    message.severity = fields.S;
    message.code = fields.C;
    message.detail = fields.D;
    message.hint = fields.H;
    message.position = fields.P;
    message.internalPosition = fields.p;
    message.internalQuery = fields.q;
    message.where = fields.W;
    message.schema = fields.s;
    message.table = fields.t;
    message.column = fields.c;
    message.dataType = fields.d;
    message.constraint = fields.n;
    message.file = fields.F;
    message.line = fields.L;
    message.routine = fields.R;
    return message;
};
//# sourceMappingURL=parser.js.map

/***/ }),

/***/ 6513:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {


Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.serialize = void 0;
const buffer_writer_1 = __nccwpck_require__(9315);
const writer = new buffer_writer_1.Writer();
const startup = (opts) => {
    // protocol version
    writer.addInt16(3).addInt16(0);
    for (const key of Object.keys(opts)) {
        writer.addCString(key).addCString(opts[key]);
    }
    writer.addCString('client_encoding').addCString('UTF8');
    const bodyBuffer = writer.addCString('').flush();
    // this message is sent without a code
    const length = bodyBuffer.length + 4;
    return new buffer_writer_1.Writer().addInt32(length).add(bodyBuffer).flush();
};
const requestSsl = () => {
    const response = Buffer.allocUnsafe(8);
    response.writeInt32BE(8, 0);
    response.writeInt32BE(80877103, 4);
    return response;
};
const password = (password) => {
    return writer.addCString(password).flush(112 /* code.startup */);
};
const sendSASLInitialResponseMessage = function (mechanism, initialResponse) {
    // 0x70 = 'p'
    writer.addCString(mechanism).addInt32PrefixedString(initialResponse);
    return writer.flush(112 /* code.startup */);
};
const sendSCRAMClientFinalMessage = function (additionalData) {
    return writer.addString(additionalData).flush(112 /* code.startup */);
};
const query = (text) => {
    return writer.addCString(text).flush(81 /* code.query */);
};
const emptyArray = [];
const parse = (query) => {
    // expect something like this:
    // { name: 'queryName',
    //   text: 'select * from blah',
    //   types: ['int8', 'bool'] }
    // normalize missing query names to allow for null
    const name = query.name || '';
    if (name.length > 63) {
        console.error('Warning! Postgres only supports 63 characters for query names.');
        console.error('You supplied %s (%s)', name, name.length);
        console.error('This can cause conflicts and silent errors executing queries');
    }
    const types = query.types || emptyArray;
    const len = types.length;
    const buffer = writer
        .addCString(name) // name of query
        .addCString(query.text) // actual query text
        .addInt16(len);
    for (let i = 0; i < len; i++) {
        buffer.addInt32(types[i]);
    }
    return writer.flush(80 /* code.parse */);
};
const writeValues = function (values, valueMapper, formatsOffset) {
    const len = values.length;
    for (let i = 0; i < len; i++) {
        const mappedVal = valueMapper ? valueMapper(values[i], i) : values[i];
        let formatByte = 0 /* ParamType.STRING */;
        if (mappedVal == null) {
            // write -1 to indicate null
            writer.addInt32(-1);
        }
        else if (mappedVal instanceof Buffer) {
            formatByte = 1 /* ParamType.BINARY */;
            // add the buffer to the param writer
            writer.addInt32(mappedVal.length);
            writer.add(mappedVal);
        }
        else {
            // length prefix + UTF-8 bytes in one pass (Buffer.byteLength computed once)
            writer.addInt32PrefixedString(mappedVal);
        }
        // beware: `writer` operations can replace `writer.buffer` with a new buffer
        const buf = writer.buffer;
        buf[formatsOffset++] = 0;
        buf[formatsOffset++] = formatByte;
    }
};
const bind = (config = {}) => {
    // normalize config
    const portal = config.portal || '';
    const statement = config.statement || '';
    const binary = config.binary || false;
    const values = config.values || emptyArray;
    const len = values.length;
    writer.addCString(portal).addCString(statement);
    // number of parameter format codes
    writer.addInt16(len);
    // space for those codes, filled by `writeValues`
    const formatsOffset = writer.reserveUnsafe(len * 2);
    // number of parameter values
    writer.addInt16(len);
    try {
        writeValues(values, config.valueMapper, formatsOffset);
    }
    catch (err) {
        writer.clear();
        throw err;
    }
    // all results use the same format code
    writer.addInt16(1);
    // format code
    writer.addInt16(binary ? 1 /* ParamType.BINARY */ : 0 /* ParamType.STRING */);
    return writer.flush(66 /* code.bind */);
};
const emptyExecute = Buffer.from([69 /* code.execute */, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00]);
const execute = (config) => {
    // this is the happy path for most queries
    if (!config || (!config.portal && !config.rows)) {
        return emptyExecute;
    }
    const portal = config.portal || '';
    const rows = config.rows || 0;
    const portalLength = Buffer.byteLength(portal);
    const len = 4 + portalLength + 1 + 4;
    // one extra bit for code
    const buff = Buffer.allocUnsafe(1 + len);
    buff[0] = 69 /* code.execute */;
    buff.writeInt32BE(len, 1);
    buff.write(portal, 5, 'utf-8');
    buff[portalLength + 5] = 0; // null terminate portal cString
    buff.writeUInt32BE(rows, buff.length - 4);
    return buff;
};
const cancel = (processID, secretKey) => {
    const buffer = Buffer.allocUnsafe(16);
    buffer.writeInt32BE(16, 0);
    buffer.writeInt16BE(1234, 4);
    buffer.writeInt16BE(5678, 6);
    buffer.writeInt32BE(processID, 8);
    buffer.writeInt32BE(secretKey, 12);
    return buffer;
};
const cstringMessage = (code, string) => {
    const stringLen = Buffer.byteLength(string);
    const len = 4 + stringLen + 1;
    // one extra bit for code
    const buffer = Buffer.allocUnsafe(1 + len);
    buffer[0] = code;
    buffer.writeInt32BE(len, 1);
    buffer.write(string, 5, 'utf-8');
    buffer[len] = 0; // null terminate cString
    return buffer;
};
const emptyDescribePortal = writer.addCString('P').flush(68 /* code.describe */);
const emptyDescribeStatement = writer.addCString('S').flush(68 /* code.describe */);
const describe = (msg) => {
    return msg.name
        ? cstringMessage(68 /* code.describe */, `${msg.type}${msg.name || ''}`)
        : msg.type === 'P'
            ? emptyDescribePortal
            : emptyDescribeStatement;
};
const close = (msg) => {
    const text = `${msg.type}${msg.name || ''}`;
    return cstringMessage(67 /* code.close */, text);
};
const copyData = (chunk) => {
    return writer.add(chunk).flush(100 /* code.copyFromChunk */);
};
const copyFail = (message) => {
    return cstringMessage(102 /* code.copyFail */, message);
};
const codeOnlyBuffer = (code) => Buffer.from([code, 0x00, 0x00, 0x00, 0x04]);
const flushBuffer = codeOnlyBuffer(72 /* code.flush */);
const syncBuffer = codeOnlyBuffer(83 /* code.sync */);
const endBuffer = codeOnlyBuffer(88 /* code.end */);
const copyDoneBuffer = codeOnlyBuffer(99 /* code.copyDone */);
const serialize = {
    startup,
    password,
    requestSsl,
    sendSASLInitialResponseMessage,
    sendSCRAMClientFinalMessage,
    query,
    parse,
    bind,
    execute,
    describe,
    close,
    flush: () => flushBuffer,
    sync: () => syncBuffer,
    end: () => endBuffer,
    copyData,
    copyDone: () => copyDoneBuffer,
    copyFail,
    cancel,
};
exports.serialize = serialize;
//# sourceMappingURL=serializer.js.map

/***/ }),

/***/ 1549:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

var textParsers = __nccwpck_require__(4784);
var binaryParsers = __nccwpck_require__(7522);
var arrayParser = __nccwpck_require__(6471);
var builtinTypes = __nccwpck_require__(6345);

exports.getTypeParser = getTypeParser;
exports.setTypeParser = setTypeParser;
exports.arrayParser = arrayParser;
exports.builtins = builtinTypes;

var typeParsers = {
  text: {},
  binary: {}
};

//the empty parse function
function noParse (val) {
  return String(val);
};

//returns a function used to convert a specific type (specified by
//oid) into a result javascript type
//note: the oid can be obtained via the following sql query:
//SELECT oid FROM pg_type WHERE typname = 'TYPE_NAME_HERE';
function getTypeParser (oid, format) {
  format = format || 'text';
  if (!typeParsers[format]) {
    return noParse;
  }
  return typeParsers[format][oid] || noParse;
};

function setTypeParser (oid, format, parseFn) {
  if(typeof format == 'function') {
    parseFn = format;
    format = 'text';
  }
  typeParsers[format][oid] = parseFn;
};

textParsers.init(function(oid, converter) {
  typeParsers.text[oid] = converter;
});

binaryParsers.init(function(oid, converter) {
  typeParsers.binary[oid] = converter;
});


/***/ }),

/***/ 6471:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

var array = __nccwpck_require__(3879);

module.exports = {
  create: function (source, transform) {
    return {
      parse: function() {
        return array.parse(source, transform);
      }
    };
  }
};


/***/ }),

/***/ 7522:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

var parseInt64 = __nccwpck_require__(2299);

var parseBits = function(data, bits, offset, invert, callback) {
  offset = offset || 0;
  invert = invert || false;
  callback = callback || function(lastValue, newValue, bits) { return (lastValue * Math.pow(2, bits)) + newValue; };
  var offsetBytes = offset >> 3;

  var inv = function(value) {
    if (invert) {
      return ~value & 0xff;
    }

    return value;
  };

  // read first (maybe partial) byte
  var mask = 0xff;
  var firstBits = 8 - (offset % 8);
  if (bits < firstBits) {
    mask = (0xff << (8 - bits)) & 0xff;
    firstBits = bits;
  }

  if (offset) {
    mask = mask >> (offset % 8);
  }

  var result = 0;
  if ((offset % 8) + bits >= 8) {
    result = callback(0, inv(data[offsetBytes]) & mask, firstBits);
  }

  // read bytes
  var bytes = (bits + offset) >> 3;
  for (var i = offsetBytes + 1; i < bytes; i++) {
    result = callback(result, inv(data[i]), 8);
  }

  // bits to read, that are not a complete byte
  var lastBits = (bits + offset) % 8;
  if (lastBits > 0) {
    result = callback(result, inv(data[bytes]) >> (8 - lastBits), lastBits);
  }

  return result;
};

var parseFloatFromBits = function(data, precisionBits, exponentBits) {
  var bias = Math.pow(2, exponentBits - 1) - 1;
  var sign = parseBits(data, 1);
  var exponent = parseBits(data, exponentBits, 1);

  if (exponent === 0) {
    return 0;
  }

  // parse mantissa
  var precisionBitsCounter = 1;
  var parsePrecisionBits = function(lastValue, newValue, bits) {
    if (lastValue === 0) {
      lastValue = 1;
    }

    for (var i = 1; i <= bits; i++) {
      precisionBitsCounter /= 2;
      if ((newValue & (0x1 << (bits - i))) > 0) {
        lastValue += precisionBitsCounter;
      }
    }

    return lastValue;
  };

  var mantissa = parseBits(data, precisionBits, exponentBits + 1, false, parsePrecisionBits);

  // special cases
  if (exponent == (Math.pow(2, exponentBits + 1) - 1)) {
    if (mantissa === 0) {
      return (sign === 0) ? Infinity : -Infinity;
    }

    return NaN;
  }

  // normale number
  return ((sign === 0) ? 1 : -1) * Math.pow(2, exponent - bias) * mantissa;
};

var parseInt16 = function(value) {
  if (parseBits(value, 1) == 1) {
    return -1 * (parseBits(value, 15, 1, true) + 1);
  }

  return parseBits(value, 15, 1);
};

var parseInt32 = function(value) {
  if (parseBits(value, 1) == 1) {
    return -1 * (parseBits(value, 31, 1, true) + 1);
  }

  return parseBits(value, 31, 1);
};

var parseFloat32 = function(value) {
  return parseFloatFromBits(value, 23, 8);
};

var parseFloat64 = function(value) {
  return parseFloatFromBits(value, 52, 11);
};

var parseNumeric = function(value) {
  var sign = parseBits(value, 16, 32);
  if (sign == 0xc000) {
    return NaN;
  }

  var weight = Math.pow(10000, parseBits(value, 16, 16));
  var result = 0;

  var digits = [];
  var ndigits = parseBits(value, 16);
  for (var i = 0; i < ndigits; i++) {
    result += parseBits(value, 16, 64 + (16 * i)) * weight;
    weight /= 10000;
  }

  var scale = Math.pow(10, parseBits(value, 16, 48));
  return ((sign === 0) ? 1 : -1) * Math.round(result * scale) / scale;
};

var parseDate = function(isUTC, value) {
  var sign = parseBits(value, 1);
  var rawValue = parseBits(value, 63, 1);

  // discard usecs and shift from 2000 to 1970
  var result = new Date((((sign === 0) ? 1 : -1) * rawValue / 1000) + 946684800000);

  if (!isUTC) {
    result.setTime(result.getTime() + result.getTimezoneOffset() * 60000);
  }

  // add microseconds to the date
  result.usec = rawValue % 1000;
  result.getMicroSeconds = function() {
    return this.usec;
  };
  result.setMicroSeconds = function(value) {
    this.usec = value;
  };
  result.getUTCMicroSeconds = function() {
    return this.usec;
  };

  return result;
};

var parseArray = function(value) {
  var dim = parseBits(value, 32);

  var flags = parseBits(value, 32, 32);
  var elementType = parseBits(value, 32, 64);

  var offset = 96;
  var dims = [];
  for (var i = 0; i < dim; i++) {
    // parse dimension
    dims[i] = parseBits(value, 32, offset);
    offset += 32;

    // ignore lower bounds
    offset += 32;
  }

  var parseElement = function(elementType) {
    // parse content length
    var length = parseBits(value, 32, offset);
    offset += 32;

    // parse null values
    if (length == 0xffffffff) {
      return null;
    }

    var result;
    if ((elementType == 0x17) || (elementType == 0x14)) {
      // int/bigint
      result = parseBits(value, length * 8, offset);
      offset += length * 8;
      return result;
    }
    else if (elementType == 0x19) {
      // string
      result = value.toString(this.encoding, offset >> 3, (offset += (length << 3)) >> 3);
      return result;
    }
    else {
      console.log("ERROR: ElementType not implemented: " + elementType);
    }
  };

  var parse = function(dimension, elementType) {
    var array = [];
    var i;

    if (dimension.length > 1) {
      var count = dimension.shift();
      for (i = 0; i < count; i++) {
        array[i] = parse(dimension, elementType);
      }
      dimension.unshift(count);
    }
    else {
      for (i = 0; i < dimension[0]; i++) {
        array[i] = parseElement(elementType);
      }
    }

    return array;
  };

  return parse(dims, elementType);
};

var parseText = function(value) {
  return value.toString('utf8');
};

var parseBool = function(value) {
  if(value === null) return null;
  return (parseBits(value, 8) > 0);
};

var init = function(register) {
  register(20, parseInt64);
  register(21, parseInt16);
  register(23, parseInt32);
  register(26, parseInt32);
  register(1700, parseNumeric);
  register(700, parseFloat32);
  register(701, parseFloat64);
  register(16, parseBool);
  register(1114, parseDate.bind(null, false));
  register(1184, parseDate.bind(null, true));
  register(1000, parseArray);
  register(1007, parseArray);
  register(1016, parseArray);
  register(1008, parseArray);
  register(1009, parseArray);
  register(25, parseText);
};

module.exports = {
  init: init
};


/***/ }),

/***/ 6345:
/***/ ((module) => {

/**
 * Following query was used to generate this file:

 SELECT json_object_agg(UPPER(PT.typname), PT.oid::int4 ORDER BY pt.oid)
 FROM pg_type PT
 WHERE typnamespace = (SELECT pgn.oid FROM pg_namespace pgn WHERE nspname = 'pg_catalog') -- Take only builting Postgres types with stable OID (extension types are not guaranted to be stable)
 AND typtype = 'b' -- Only basic types
 AND typelem = 0 -- Ignore aliases
 AND typisdefined -- Ignore undefined types
 */

module.exports = {
    BOOL: 16,
    BYTEA: 17,
    CHAR: 18,
    INT8: 20,
    INT2: 21,
    INT4: 23,
    REGPROC: 24,
    TEXT: 25,
    OID: 26,
    TID: 27,
    XID: 28,
    CID: 29,
    JSON: 114,
    XML: 142,
    PG_NODE_TREE: 194,
    SMGR: 210,
    PATH: 602,
    POLYGON: 604,
    CIDR: 650,
    FLOAT4: 700,
    FLOAT8: 701,
    ABSTIME: 702,
    RELTIME: 703,
    TINTERVAL: 704,
    CIRCLE: 718,
    MACADDR8: 774,
    MONEY: 790,
    MACADDR: 829,
    INET: 869,
    ACLITEM: 1033,
    BPCHAR: 1042,
    VARCHAR: 1043,
    DATE: 1082,
    TIME: 1083,
    TIMESTAMP: 1114,
    TIMESTAMPTZ: 1184,
    INTERVAL: 1186,
    TIMETZ: 1266,
    BIT: 1560,
    VARBIT: 1562,
    NUMERIC: 1700,
    REFCURSOR: 1790,
    REGPROCEDURE: 2202,
    REGOPER: 2203,
    REGOPERATOR: 2204,
    REGCLASS: 2205,
    REGTYPE: 2206,
    UUID: 2950,
    TXID_SNAPSHOT: 2970,
    PG_LSN: 3220,
    PG_NDISTINCT: 3361,
    PG_DEPENDENCIES: 3402,
    TSVECTOR: 3614,
    TSQUERY: 3615,
    GTSVECTOR: 3642,
    REGCONFIG: 3734,
    REGDICTIONARY: 3769,
    JSONB: 3802,
    REGNAMESPACE: 4089,
    REGROLE: 4096
};


/***/ }),

/***/ 4784:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

var array = __nccwpck_require__(3879)
var arrayParser = __nccwpck_require__(6471);
var parseDate = __nccwpck_require__(2690);
var parseInterval = __nccwpck_require__(8755);
var parseByteA = __nccwpck_require__(463);

function allowNull (fn) {
  return function nullAllowed (value) {
    if (value === null) return value
    return fn(value)
  }
}

function parseBool (value) {
  if (value === null) return value
  return value === 'TRUE' ||
    value === 't' ||
    value === 'true' ||
    value === 'y' ||
    value === 'yes' ||
    value === 'on' ||
    value === '1';
}

function parseBoolArray (value) {
  if (!value) return null
  return array.parse(value, parseBool)
}

function parseBaseTenInt (string) {
  return parseInt(string, 10)
}

function parseIntegerArray (value) {
  if (!value) return null
  return array.parse(value, allowNull(parseBaseTenInt))
}

function parseBigIntegerArray (value) {
  if (!value) return null
  return array.parse(value, allowNull(function (entry) {
    return parseBigInteger(entry).trim()
  }))
}

var parsePointArray = function(value) {
  if(!value) { return null; }
  var p = arrayParser.create(value, function(entry) {
    if(entry !== null) {
      entry = parsePoint(entry);
    }
    return entry;
  });

  return p.parse();
};

var parseFloatArray = function(value) {
  if(!value) { return null; }
  var p = arrayParser.create(value, function(entry) {
    if(entry !== null) {
      entry = parseFloat(entry);
    }
    return entry;
  });

  return p.parse();
};

var parseStringArray = function(value) {
  if(!value) { return null; }

  var p = arrayParser.create(value);
  return p.parse();
};

var parseDateArray = function(value) {
  if (!value) { return null; }

  var p = arrayParser.create(value, function(entry) {
    if (entry !== null) {
      entry = parseDate(entry);
    }
    return entry;
  });

  return p.parse();
};

var parseIntervalArray = function(value) {
  if (!value) { return null; }

  var p = arrayParser.create(value, function(entry) {
    if (entry !== null) {
      entry = parseInterval(entry);
    }
    return entry;
  });

  return p.parse();
};

var parseByteAArray = function(value) {
  if (!value) { return null; }

  return array.parse(value, allowNull(parseByteA));
};

var parseInteger = function(value) {
  return parseInt(value, 10);
};

var parseBigInteger = function(value) {
  var valStr = String(value);
  if (/^\d+$/.test(valStr)) { return valStr; }
  return value;
};

var parseJsonArray = function(value) {
  if (!value) { return null; }

  return array.parse(value, allowNull(JSON.parse));
};

var parsePoint = function(value) {
  if (value[0] !== '(') { return null; }

  value = value.substring( 1, value.length - 1 ).split(',');

  return {
    x: parseFloat(value[0])
  , y: parseFloat(value[1])
  };
};

var parseCircle = function(value) {
  if (value[0] !== '<' && value[1] !== '(') { return null; }

  var point = '(';
  var radius = '';
  var pointParsed = false;
  for (var i = 2; i < value.length - 1; i++){
    if (!pointParsed) {
      point += value[i];
    }

    if (value[i] === ')') {
      pointParsed = true;
      continue;
    } else if (!pointParsed) {
      continue;
    }

    if (value[i] === ','){
      continue;
    }

    radius += value[i];
  }
  var result = parsePoint(point);
  result.radius = parseFloat(radius);

  return result;
};

var init = function(register) {
  register(20, parseBigInteger); // int8
  register(21, parseInteger); // int2
  register(23, parseInteger); // int4
  register(26, parseInteger); // oid
  register(700, parseFloat); // float4/real
  register(701, parseFloat); // float8/double
  register(16, parseBool);
  register(1082, parseDate); // date
  register(1114, parseDate); // timestamp without timezone
  register(1184, parseDate); // timestamp
  register(600, parsePoint); // point
  register(651, parseStringArray); // cidr[]
  register(718, parseCircle); // circle
  register(1000, parseBoolArray);
  register(1001, parseByteAArray);
  register(1005, parseIntegerArray); // _int2
  register(1007, parseIntegerArray); // _int4
  register(1028, parseIntegerArray); // oid[]
  register(1016, parseBigIntegerArray); // _int8
  register(1017, parsePointArray); // point[]
  register(1021, parseFloatArray); // _float4
  register(1022, parseFloatArray); // _float8
  register(1231, parseFloatArray); // _numeric
  register(1014, parseStringArray); //char
  register(1015, parseStringArray); //varchar
  register(1008, parseStringArray);
  register(1009, parseStringArray);
  register(1040, parseStringArray); // macaddr[]
  register(1041, parseStringArray); // inet[]
  register(1115, parseDateArray); // timestamp without time zone[]
  register(1182, parseDateArray); // _date
  register(1185, parseDateArray); // timestamp with time zone[]
  register(1186, parseInterval);
  register(1187, parseIntervalArray);
  register(17, parseByteA);
  register(114, JSON.parse.bind(JSON)); // json
  register(3802, JSON.parse.bind(JSON)); // jsonb
  register(199, parseJsonArray); // json[]
  register(3807, parseJsonArray); // jsonb[]
  register(3907, parseStringArray); // numrange[]
  register(2951, parseStringArray); // uuid[]
  register(791, parseStringArray); // money[]
  register(1183, parseStringArray); // time[]
  register(1270, parseStringArray); // timetz[]
};

module.exports = {
  init: init
};


/***/ }),

/***/ 5042:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

const EventEmitter = (__nccwpck_require__(4434).EventEmitter)
const utils = __nccwpck_require__(9652)
const nodeUtils = __nccwpck_require__(9023)
const sasl = __nccwpck_require__(948)
const TypeOverrides = __nccwpck_require__(365)

const ConnectionParameters = __nccwpck_require__(646)
const Query = __nccwpck_require__(4473)
const defaults = __nccwpck_require__(8995)
const Connection = __nccwpck_require__(9809)
const crypto = __nccwpck_require__(4150)

const activeQueryDeprecationNotice = nodeUtils.deprecate(
  () => {},
  'Client.activeQuery is deprecated and will be removed in pg@9.0'
)

const queryQueueDeprecationNotice = nodeUtils.deprecate(
  () => {},
  'Client.queryQueue is deprecated and will be removed in pg@9.0.'
)

const pgPassDeprecationNotice = nodeUtils.deprecate(
  () => {},
  'pgpass support is deprecated and will be removed in pg@9.0. ' +
    'You can provide an async function as the password property to the Client/Pool constructor that returns a password instead. Within this function you can call the pgpass module in your own code.'
)

const byoPromiseDeprecationNotice = nodeUtils.deprecate(
  () => {},
  'Passing a custom Promise implementation to the Client/Pool constructor is deprecated and will be removed in pg@9.0.'
)

const queryQueueLengthDeprecationNotice = nodeUtils.deprecate(
  () => {},
  'Calling client.query() when the client is already executing a query is deprecated and will be removed in pg@9.0. Use async/await or an external async flow control mechanism instead.'
)

function coerceNumberOrDefault(value, defaultValue) {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? value : defaultValue
  }
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value)
    return Number.isFinite(n) ? n : defaultValue
  }
  return defaultValue
}

class Client extends EventEmitter {
  constructor(config) {
    super()

    this.connectionParameters = new ConnectionParameters(config)
    this.user = this.connectionParameters.user
    this.database = this.connectionParameters.database
    this.port = this.connectionParameters.port
    this.host = this.connectionParameters.host

    // "hiding" the password so it doesn't show up in stack traces
    // or if the client is console.logged
    Object.defineProperty(this, 'password', {
      configurable: true,
      enumerable: false,
      writable: true,
      value: this.connectionParameters.password,
    })

    this.replication = this.connectionParameters.replication

    const c = config || {}

    if (c.Promise) {
      byoPromiseDeprecationNotice()
    }
    this._Promise = c.Promise || global.Promise
    this._types = new TypeOverrides(c.types)
    this._ending = false
    this._ended = false
    this._connecting = false
    this._connected = false
    this._connectionError = false
    this._queryable = true
    this._activeQuery = null
    this._txStatus = null

    this.enableChannelBinding = Boolean(c.enableChannelBinding) // set true to use SCRAM-SHA-256-PLUS when offered
    this.scramMaxIterations = coerceNumberOrDefault(c.scramMaxIterations, sasl.DEFAULT_MAX_SCRAM_ITERATIONS)
    this.connection =
      c.connection ||
      new Connection({
        stream: c.stream,
        ssl: this.connectionParameters.ssl,
        sslNegotiation: this.connectionParameters.sslnegotiation,
        keepAlive: c.keepAlive || false,
        keepAliveInitialDelayMillis: c.keepAliveInitialDelayMillis || 0,
        encoding: this.connectionParameters.client_encoding || 'utf8',
      })
    this._queryQueue = []
    this._sentQueryQueue = []
    this.pipeline = Boolean(c.pipeline)
    this.binary = c.binary || defaults.binary
    this.processID = null
    this.secretKey = null
    this.ssl = this.connectionParameters.ssl || false
    this.sslNegotiation = this.connectionParameters.sslnegotiation || 'postgres'
    // As with Password, make SSL->Key (the private key) non-enumerable.
    // It won't show up in stack traces
    // or if the client is console.logged
    if (this.ssl && this.ssl.key) {
      Object.defineProperty(this.ssl, 'key', {
        enumerable: false,
      })
    }

    this._connectionTimeoutMillis = c.connectionTimeoutMillis || 0
  }

  get activeQuery() {
    activeQueryDeprecationNotice()
    return this._activeQuery
  }

  set activeQuery(val) {
    activeQueryDeprecationNotice()
    this._activeQuery = val
  }

  _getActiveQuery() {
    return this._activeQuery
  }

  _errorAllQueries(err) {
    const enqueueError = (query) => {
      process.nextTick(() => {
        query.handleError(err, this.connection)
      })
    }

    const activeQuery = this._getActiveQuery()
    if (activeQuery) {
      enqueueError(activeQuery)
      this._activeQuery = null
    }

    this._sentQueryQueue.forEach(enqueueError)
    this._sentQueryQueue.length = 0

    this._queryQueue.forEach(enqueueError)
    this._queryQueue.length = 0
  }

  _connect(callback) {
    const self = this
    const con = this.connection
    this._connectionCallback = callback

    if (this._connecting || this._connected) {
      const err = new Error('Client has already been connected. You cannot reuse a client.')
      process.nextTick(() => {
        callback(err)
      })
      return
    }
    this._connecting = true

    if (this._connectionTimeoutMillis > 0) {
      this.connectionTimeoutHandle = setTimeout(() => {
        con._ending = true
        con.stream.destroy(new Error('timeout expired'))
      }, this._connectionTimeoutMillis)

      if (this.connectionTimeoutHandle.unref) {
        this.connectionTimeoutHandle.unref()
      }
    }

    if (this.host && this.host.indexOf('/') === 0) {
      con.connect(this.host + '/.s.PGSQL.' + this.port)
    } else {
      con.connect(this.port, this.host)
    }

    // once connection is established send startup message
    con.on('connect', function () {
      if (self.ssl) {
        // With direct SSL negotiation the connection upgrades to TLS without an
        // SSLRequest packet, so the startup message is sent after 'sslconnect'.
        if (self.sslNegotiation !== 'direct') {
          con.requestSsl()
        }
      } else {
        con.startup(self.getStartupConf())
      }
    })

    con.on('sslconnect', function () {
      con.startup(self.getStartupConf())
    })

    this._attachListeners(con)

    con.once('end', () => {
      const error = this._ending ? new Error('Connection terminated') : new Error('Connection terminated unexpectedly')

      clearTimeout(this.connectionTimeoutHandle)
      this._errorAllQueries(error)
      this._ended = true

      if (!this._ending) {
        // if the connection is ended without us calling .end()
        // on this client then we have an unexpected disconnection
        // treat this as an error unless we've already emitted an error
        // during connection.
        if (this._connecting && !this._connectionError) {
          if (this._connectionCallback) {
            this._connectionCallback(error)
          } else {
            this._handleErrorEvent(error)
          }
        } else if (!this._connectionError) {
          this._handleErrorEvent(error)
        }
      }

      process.nextTick(() => {
        this.emit('end')
      })
    })
  }

  connect(callback) {
    if (callback) {
      this._connect(callback)
      return
    }

    return new this._Promise((resolve, reject) => {
      this._connect((error) => {
        if (error) {
          reject(error)
        } else {
          resolve(this)
        }
      })
    })
  }

  _attachListeners(con) {
    // password request handling
    con.on('authenticationCleartextPassword', this._handleAuthCleartextPassword.bind(this))
    // password request handling
    con.on('authenticationMD5Password', this._handleAuthMD5Password.bind(this))
    // password request handling (SASL)
    con.on('authenticationSASL', this._handleAuthSASL.bind(this))
    con.on('authenticationSASLContinue', this._handleAuthSASLContinue.bind(this))
    con.on('authenticationSASLFinal', this._handleAuthSASLFinal.bind(this))
    con.on('backendKeyData', this._handleBackendKeyData.bind(this))
    con.on('error', this._handleErrorEvent.bind(this))
    con.on('errorMessage', this._handleErrorMessage.bind(this))
    con.on('readyForQuery', this._handleReadyForQuery.bind(this))
    con.on('notice', this._handleNotice.bind(this))
    con.on('rowDescription', this._handleRowDescription.bind(this))
    con.on('dataRow', this._handleDataRow.bind(this))
    con.on('portalSuspended', this._handlePortalSuspended.bind(this))
    con.on('emptyQuery', this._handleEmptyQuery.bind(this))
    con.on('commandComplete', this._handleCommandComplete.bind(this))
    con.on('parseComplete', this._handleParseComplete.bind(this))
    con.on('copyInResponse', this._handleCopyInResponse.bind(this))
    con.on('copyData', this._handleCopyData.bind(this))
    con.on('notification', this._handleNotification.bind(this))
  }

  _getPassword(cb) {
    const con = this.connection
    if (typeof this.password === 'function') {
      this._Promise
        .resolve()
        .then(() => this.password(this.connectionParameters))
        .then((pass) => {
          if (pass !== undefined) {
            if (typeof pass !== 'string') {
              con.emit('error', new TypeError('Password must be a string'))
              return
            }
            this.connectionParameters.password = this.password = pass
          } else {
            this.connectionParameters.password = this.password = null
          }
          cb()
        })
        .catch((err) => {
          con.emit('error', err)
        })
    } else if (this.password !== null) {
      cb()
    } else {
      try {
        const pgPass = __nccwpck_require__(3272)
        pgPass(this.connectionParameters, (pass) => {
          if (undefined !== pass) {
            pgPassDeprecationNotice()
            this.connectionParameters.password = this.password = pass
          }
          cb()
        })
      } catch (e) {
        this.emit('error', e)
      }
    }
  }

  _handleAuthCleartextPassword(msg) {
    this._getPassword(() => {
      this.connection.password(this.password)
    })
  }

  _handleAuthMD5Password(msg) {
    this._getPassword(async () => {
      try {
        const hashedPassword = await crypto.postgresMd5PasswordHash(this.user, this.password, msg.salt)
        this.connection.password(hashedPassword)
      } catch (e) {
        this.emit('error', e)
      }
    })
  }

  _handleAuthSASL(msg) {
    this._getPassword(() => {
      try {
        this.saslSession = sasl.startSession(
          msg.mechanisms,
          this.enableChannelBinding && this.connection.stream,
          this.scramMaxIterations
        )
        this.connection.sendSASLInitialResponseMessage(this.saslSession.mechanism, this.saslSession.response)
      } catch (err) {
        this.connection.emit('error', err)
      }
    })
  }

  async _handleAuthSASLContinue(msg) {
    try {
      await sasl.continueSession(
        this.saslSession,
        this.password,
        msg.data,
        this.enableChannelBinding && this.connection.stream
      )
      this.connection.sendSCRAMClientFinalMessage(this.saslSession.response)
    } catch (err) {
      this.connection.emit('error', err)
    }
  }

  _handleAuthSASLFinal(msg) {
    try {
      sasl.finalizeSession(this.saslSession, msg.data)
      this.saslSession = null
    } catch (err) {
      this.connection.emit('error', err)
    }
  }

  _handleBackendKeyData(msg) {
    this.processID = msg.processID
    this.secretKey = msg.secretKey
  }

  _handleReadyForQuery(msg) {
    if (this._connecting) {
      this._connecting = false
      this._connected = true
      clearTimeout(this.connectionTimeoutHandle)

      // process possible callback argument to Client#connect
      if (this._connectionCallback) {
        this._connectionCallback(null, this)
        // remove callback for proper error handling
        // after the connect event
        this._connectionCallback = null
      }
      this.emit('connect')
    }
    const activeQuery = this._getActiveQuery()
    this._activeQuery = null
    this._txStatus = msg?.status ?? null
    this.readyForQuery = true
    if (activeQuery) {
      activeQuery.handleReadyForQuery(this.connection)
    }
    this._pulseQueryQueue()
  }

  // if we receive an error event or error message
  // during the connection process we handle it here
  _handleErrorWhileConnecting(err) {
    if (this._connectionError) {
      // TODO(bmc): this is swallowing errors - we shouldn't do this
      return
    }
    this._connectionError = true
    clearTimeout(this.connectionTimeoutHandle)
    if (this._connectionCallback) {
      return this._connectionCallback(err)
    }
    this.emit('error', err)
  }

  // if we're connected and we receive an error event from the connection
  // this means the socket is dead - do a hard abort of all queries and emit
  // the socket error on the client as well
  _handleErrorEvent(err) {
    if (this._connecting) {
      return this._handleErrorWhileConnecting(err)
    }
    this._queryable = false
    this._errorAllQueries(err)
    this.emit('error', err)
  }

  // handle error messages from the postgres backend
  _handleErrorMessage(msg) {
    if (this._connecting) {
      return this._handleErrorWhileConnecting(msg)
    }
    const activeQuery = this._getActiveQuery()

    if (!activeQuery) {
      this._handleErrorEvent(msg)
      return
    }

    this._activeQuery = null
    if (activeQuery.name) {
      delete this.connection.submittedNamedStatements[activeQuery.name]
    }
    activeQuery.handleError(msg, this.connection)
  }

  _handleRowDescription(msg) {
    const activeQuery = this._getActiveQuery()
    if (activeQuery == null) {
      const error = new Error('Received unexpected rowDescription message from backend.')
      this._handleErrorEvent(error)
      return
    }
    // delegate rowDescription to active query
    activeQuery.handleRowDescription(msg)
  }

  _handleDataRow(msg) {
    const activeQuery = this._getActiveQuery()
    if (activeQuery == null) {
      const error = new Error('Received unexpected dataRow message from backend.')
      this._handleErrorEvent(error)
      return
    }
    // delegate dataRow to active query
    activeQuery.handleDataRow(msg)
  }

  _handlePortalSuspended(msg) {
    const activeQuery = this._getActiveQuery()
    if (activeQuery == null) {
      const error = new Error('Received unexpected portalSuspended message from backend.')
      this._handleErrorEvent(error)
      return
    }
    // delegate portalSuspended to active query
    activeQuery.handlePortalSuspended(this.connection)
  }

  _handleEmptyQuery(msg) {
    const activeQuery = this._getActiveQuery()
    if (activeQuery == null) {
      const error = new Error('Received unexpected emptyQuery message from backend.')
      this._handleErrorEvent(error)
      return
    }
    // delegate emptyQuery to active query
    activeQuery.handleEmptyQuery(this.connection)
  }

  _handleCommandComplete(msg) {
    const activeQuery = this._getActiveQuery()
    if (activeQuery == null) {
      const error = new Error('Received unexpected commandComplete message from backend.')
      this._handleErrorEvent(error)
      return
    }
    // delegate commandComplete to active query
    activeQuery.handleCommandComplete(msg, this.connection)
  }

  _handleParseComplete() {
    const activeQuery = this._getActiveQuery()
    if (activeQuery == null) {
      const error = new Error('Received unexpected parseComplete message from backend.')
      this._handleErrorEvent(error)
      return
    }
    // if a prepared statement has a name and properly parses
    // we track that its already been executed so we don't parse
    // it again on the same client
    if (activeQuery.name) {
      this.connection.parsedStatements[activeQuery.name] = activeQuery.text
      delete this.connection.submittedNamedStatements[activeQuery.name]
    }
  }

  _handleCopyInResponse(msg) {
    const activeQuery = this._getActiveQuery()
    if (activeQuery == null) {
      const error = new Error('Received unexpected copyInResponse message from backend.')
      this._handleErrorEvent(error)
      return
    }
    activeQuery.handleCopyInResponse(this.connection)
  }

  _handleCopyData(msg) {
    const activeQuery = this._getActiveQuery()
    if (activeQuery == null) {
      const error = new Error('Received unexpected copyData message from backend.')
      this._handleErrorEvent(error)
      return
    }
    activeQuery.handleCopyData(msg, this.connection)
  }

  _handleNotification(msg) {
    this.emit('notification', msg)
  }

  _handleNotice(msg) {
    this.emit('notice', msg)
  }

  getStartupConf() {
    const params = this.connectionParameters

    const data = {
      user: params.user,
      database: params.database,
    }

    const appName = params.application_name || params.fallback_application_name
    if (appName) {
      data.application_name = appName
    }
    if (params.replication) {
      data.replication = '' + params.replication
    }
    if (params.statement_timeout) {
      data.statement_timeout = String(parseInt(params.statement_timeout, 10))
    }
    if (params.lock_timeout) {
      data.lock_timeout = String(parseInt(params.lock_timeout, 10))
    }
    if (params.idle_in_transaction_session_timeout) {
      data.idle_in_transaction_session_timeout = String(parseInt(params.idle_in_transaction_session_timeout, 10))
    }
    if (params.options) {
      data.options = params.options
    }

    return data
  }

  cancel(client, query) {
    if (client.activeQuery === query) {
      const con = this.connection

      if (this.host && this.host.indexOf('/') === 0) {
        con.connect(this.host + '/.s.PGSQL.' + this.port)
      } else {
        con.connect(this.port, this.host)
      }

      // once connection is established send cancel message
      con.on('connect', function () {
        con.cancel(client.processID, client.secretKey)
      })
    } else if (client._queryQueue.indexOf(query) !== -1) {
      client._queryQueue.splice(client._queryQueue.indexOf(query), 1)
    } else if (client._sentQueryQueue.indexOf(query) !== -1) {
      // Query already sent on wire \u2014 can't remove it without corrupting the
      // pipeline. No-op the callback so the result is silently discarded.
      query.callback = () => {}
    }
  }

  setTypeParser(oid, format, parseFn) {
    return this._types.setTypeParser(oid, format, parseFn)
  }

  getTypeParser(oid, format) {
    return this._types.getTypeParser(oid, format)
  }

  // escapeIdentifier and escapeLiteral moved to utility functions & exported
  // on PG
  // re-exported here for backwards compatibility
  escapeIdentifier(str) {
    return utils.escapeIdentifier(str)
  }

  escapeLiteral(str) {
    return utils.escapeLiteral(str)
  }

  _pulseQueryQueue() {
    if (this.pipeline) {
      this._pulsePipelinedQueryQueue()
      return
    }
    if (this.readyForQuery === true) {
      this._activeQuery = this._queryQueue.shift()
      const activeQuery = this._getActiveQuery()
      if (activeQuery) {
        this.readyForQuery = false
        this.hasExecuted = true

        const queryError = activeQuery.submit(this.connection)
        if (queryError) {
          process.nextTick(() => {
            activeQuery.handleError(queryError, this.connection)
            this.readyForQuery = true
            this._pulseQueryQueue()
          })
        }
      } else if (this.hasExecuted) {
        this._activeQuery = null
        this.emit('drain')
      }
    }
  }

  _pulsePipelinedQueryQueue() {
    if (!this._connected || !this._queryable) {
      return
    }
    while (this._queryQueue.length > 0) {
      const query = this._queryQueue.shift()
      this.hasExecuted = true
      const queryError = query.submit(this.connection)
      if (queryError) {
        process.nextTick(() => {
          query.handleError(queryError, this.connection)
        })
        continue
      }
      this._sentQueryQueue.push(query)
    }
    if (this.readyForQuery && !this._activeQuery && this._sentQueryQueue.length > 0) {
      this._activeQuery = this._sentQueryQueue.shift()
      this.readyForQuery = false
    }
    if (!this._activeQuery && this._sentQueryQueue.length === 0 && this._queryQueue.length === 0 && this.hasExecuted) {
      this.emit('drain')
    }
  }

  query(config, values, callback) {
    // can take in strings, config object or query object
    let query
    let result

    if (config == null) {
      throw new TypeError('Client was passed a null or undefined query')
    }

    if (typeof config.submit === 'function') {
      result = query = config
      if (!query.callback) {
        if (typeof values === 'function') {
          query.callback = values
        } else if (callback) {
          query.callback = callback
        }
      }
    } else {
      query = new Query(config, values, callback)
      if (!query.callback) {
        result = new this._Promise((resolve, reject) => {
          query.callback = (err, res) => (err ? reject(err) : resolve(res))
        }).catch((err) => {
          // replace the stack trace that leads to `TCP.onStreamRead` with one that leads back to the
          // application that created the query
          Error.captureStackTrace(err)
          throw err
        })
      } else if (typeof query.callback !== 'function') {
        throw new TypeError('callback is not a function')
      }
    }

    const readTimeout = config.query_timeout || this.connectionParameters.query_timeout
    if (readTimeout) {
      const queryCallback = query.callback || (() => {})

      const readTimeoutTimer = setTimeout(() => {
        const error = new Error('Query read timeout')

        process.nextTick(() => {
          query.handleError(error, this.connection)
        })

        queryCallback(error)

        // we already returned an error,
        // just do nothing if query completes
        query.callback = () => {}

        // Remove from queue (only safe if not yet sent)
        const index = this._queryQueue.indexOf(query)
        if (index > -1) {
          this._queryQueue.splice(index, 1)
        } else if (this.pipeline) {
          // Query already sent \u2014 the pipeline is blocked until it completes.
          // Destroy the connection to unblock all remaining pipelined queries.
          this.connection.stream.destroy()
          return
        }

        this._pulseQueryQueue()
      }, readTimeout)

      query.callback = (err, res) => {
        clearTimeout(readTimeoutTimer)
        queryCallback(err, res)
      }
    }

    if (this.binary && !query.binary) {
      query.binary = true
    }

    if (query._result && !query._result._types) {
      query._result._types = this._types
    }

    // A query that keeps a portal open across round trips cannot share a pipelined connection: the
    // queries written behind it are answered out of its portal, so rows land on the wrong query and
    // the reads that follow fail with 'portal does not exist'. Refuse it instead of corrupting.
    if (this.pipeline) {
      const portalQuery =
        typeof config.submit === 'function' && !(query instanceof Query)
          ? 'Custom query classes such as pg-cursor and pg-query-stream are'
          : query.rows
          ? 'The `rows` option is'
          : null
      if (portalQuery) {
        process.nextTick(() => {
          query.handleError(new Error(`${portalQuery} not supported in pipeline mode`), this.connection)
        })
        return result
      }
    }

    if (!this._queryable) {
      process.nextTick(() => {
        query.handleError(new Error('Client has encountered a connection error and is not queryable'), this.connection)
      })
      return result
    }

    if (this._ending) {
      process.nextTick(() => {
        query.handleError(new Error('Client was closed and is not queryable'), this.connection)
      })
      return result
    }

    if (this._queryQueue.length > 0 && !this.pipeline) {
      queryQueueLengthDeprecationNotice()
    }
    this._queryQueue.push(query)
    this._pulseQueryQueue()
    return result
  }

  ref() {
    this.connection.ref()
  }

  unref() {
    this.connection.unref()
  }

  getTransactionStatus() {
    return this._txStatus
  }

  end(cb) {
    this._ending = true

    // if we have never connected, then end is a noop, callback immediately
    if (!this.connection._connecting || this._ended) {
      if (cb) {
        cb()
        return
      } else {
        return this._Promise.resolve()
      }
    }

    if (!this._queryable) {
      // socket is dead \u2014 force close
      this.connection.stream.destroy()
    } else if (
      this.pipeline &&
      (this._getActiveQuery() || this._sentQueryQueue.length > 0 || this._queryQueue.length > 0)
    ) {
      // pipelined queries are already on the wire (or queued to send) and will
      // complete normally; wait for drain then do a graceful goodbye
      this.once('drain', () => this.connection.end())
    } else if (this._getActiveQuery()) {
      // non-pipeline: a hung query could block end forever \u2014 force disconnect
      this.connection.stream.destroy()
    } else {
      this.connection.end()
    }

    if (cb) {
      this.connection.once('end', cb)
    } else {
      return new this._Promise((resolve) => {
        this.connection.once('end', resolve)
      })
    }
  }
  get queryQueue() {
    queryQueueDeprecationNotice()
    return this._queryQueue
  }
}

// expose a Query constructor
Client.Query = Query

module.exports = Client


/***/ }),

/***/ 646:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const dns = __nccwpck_require__(2250)

const defaults = __nccwpck_require__(8995)

const parse = (__nccwpck_require__(6122).parse) // parses a connection string

const val = function (key, config, envVar) {
  if (config[key]) {
    return config[key]
  }

  if (envVar === undefined) {
    envVar = process.env['PG' + key.toUpperCase()]
  } else if (envVar === false) {
    // do nothing ... use false
  } else {
    envVar = process.env[envVar]
  }

  return envVar || defaults[key]
}

const readSSLConfigFromEnvironment = function () {
  switch (process.env.PGSSLMODE) {
    case 'disable':
      return false
    case 'prefer':
    case 'require':
    case 'verify-ca':
    case 'verify-full':
      return true
    case 'no-verify':
      return { rejectUnauthorized: false }
  }
  return defaults.ssl
}

// Convert arg to a string, surround in single quotes, and escape single quotes and backslashes
const quoteParamValue = function (value) {
  return "'" + ('' + value).replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'"
}

const add = function (params, config, paramName) {
  const value = config[paramName]
  if (value !== undefined && value !== null) {
    params.push(paramName + '=' + quoteParamValue(value))
  }
}

class ConnectionParameters {
  constructor(config) {
    // if a string is passed, it is a raw connection string so we parse it into a config
    config = typeof config === 'string' ? parse(config) : config || {}

    // if the config has a connectionString defined, parse IT into the config we use
    // this will override other default values with what is stored in connectionString
    if (config.connectionString) {
      config = Object.assign({}, config, parse(config.connectionString))
    }

    this.user = val('user', config)
    this.database = val('database', config)

    if (this.database === undefined) {
      this.database = this.user
    }

    this.port = parseInt(val('port', config), 10)
    this.host = val('host', config)

    // "hiding" the password so it doesn't show up in stack traces
    // or if the client is console.logged
    Object.defineProperty(this, 'password', {
      configurable: true,
      enumerable: false,
      writable: true,
      value: val('password', config),
    })

    this.binary = val('binary', config)
    this.options = val('options', config)

    this.ssl = typeof config.ssl === 'undefined' ? readSSLConfigFromEnvironment() : config.ssl

    if (typeof this.ssl === 'string') {
      if (this.ssl === 'true') {
        this.ssl = true
      }
    }
    // support passing in ssl=no-verify via connection string
    if (this.ssl === 'no-verify') {
      this.ssl = { rejectUnauthorized: false }
    }
    if (this.ssl && this.ssl.key) {
      Object.defineProperty(this.ssl, 'key', {
        enumerable: false,
      })
    }

    // How to negotiate SSL: 'postgres' (default, the traditional SSLRequest
    // handshake) or 'direct' (start the TLS handshake immediately on connect).
    this.sslnegotiation = val('sslnegotiation', config, 'PGSSLNEGOTIATION')
    if (this.sslnegotiation !== undefined && this.sslnegotiation !== 'postgres' && this.sslnegotiation !== 'direct') {
      throw new Error(
        `Invalid sslnegotiation value: "${this.sslnegotiation}". Valid values are "postgres" and "direct".`
      )
    }
    if (this.sslnegotiation === 'direct' && !this.ssl) {
      throw new Error('sslnegotiation=direct requires SSL to be enabled')
    }

    this.client_encoding = val('client_encoding', config)
    this.replication = val('replication', config)
    // a domain socket begins with '/'
    this.isDomainSocket = !(this.host || '').indexOf('/')

    this.application_name = val('application_name', config, 'PGAPPNAME')
    this.fallback_application_name = val('fallback_application_name', config, false)
    this.statement_timeout = val('statement_timeout', config, false)
    this.lock_timeout = val('lock_timeout', config, false)
    this.idle_in_transaction_session_timeout = val('idle_in_transaction_session_timeout', config, false)
    this.query_timeout = val('query_timeout', config, false)

    if (config.connectionTimeoutMillis === undefined) {
      this.connect_timeout = process.env.PGCONNECT_TIMEOUT || 0
    } else {
      this.connect_timeout = Math.floor(config.connectionTimeoutMillis / 1000)
    }

    if (config.keepAlive === false) {
      this.keepalives = 0
    } else if (config.keepAlive === true) {
      this.keepalives = 1
    }

    if (typeof config.keepAliveInitialDelayMillis === 'number') {
      this.keepalives_idle = Math.floor(config.keepAliveInitialDelayMillis / 1000)
    }
  }

  getLibpqConnectionString(cb) {
    const params = []
    add(params, this, 'user')
    add(params, this, 'password')
    add(params, this, 'port')
    add(params, this, 'application_name')
    add(params, this, 'fallback_application_name')
    add(params, this, 'connect_timeout')
    add(params, this, 'options')

    const ssl = typeof this.ssl === 'object' ? this.ssl : this.ssl ? { sslmode: this.ssl } : {}
    add(params, ssl, 'sslmode')
    add(params, ssl, 'sslca')
    add(params, ssl, 'sslkey')
    add(params, ssl, 'sslcert')
    add(params, ssl, 'sslrootcert')
    add(params, this, 'sslnegotiation')

    if (this.database) {
      params.push('dbname=' + quoteParamValue(this.database))
    }
    if (this.replication) {
      params.push('replication=' + quoteParamValue(this.replication))
    }
    if (this.host) {
      params.push('host=' + quoteParamValue(this.host))
    }
    if (this.isDomainSocket) {
      return cb(null, params.join(' '))
    }
    if (this.client_encoding) {
      params.push('client_encoding=' + quoteParamValue(this.client_encoding))
    }
    dns.lookup(this.host, function (err, address) {
      if (err) return cb(err, null)
      params.push('hostaddr=' + quoteParamValue(address))
      return cb(null, params.join(' '))
    })
  }
}

module.exports = ConnectionParameters


/***/ }),

/***/ 9809:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const EventEmitter = (__nccwpck_require__(4434).EventEmitter)

const { parse, serialize } = __nccwpck_require__(4233)
const stream = __nccwpck_require__(829)
const { getStream } = stream

const flushBuffer = serialize.flush()
const syncBuffer = serialize.sync()
const endBuffer = serialize.end()

// TODO(bmc) support binary mode at some point
class Connection extends EventEmitter {
  constructor(config) {
    super()
    config = config || {}

    this.stream = config.stream || getStream(config.ssl)
    if (typeof this.stream === 'function') {
      this.stream = this.stream(config)
    }

    this._keepAlive = config.keepAlive
    this._keepAliveInitialDelayMillis = config.keepAliveInitialDelayMillis
    this.parsedStatements = {}
    this.submittedNamedStatements = {}
    this.ssl = config.ssl || false
    this.sslNegotiation = config.sslNegotiation || 'postgres'
    this._ending = false
    this._emitMessage = false
    const self = this
    this.on('newListener', function (eventName) {
      if (eventName === 'message') {
        self._emitMessage = true
      }
    })
  }

  connect(port, host) {
    const self = this

    this._connecting = true
    this.stream.setNoDelay(true)
    this.stream.connect(port, host)

    this.stream.once('connect', function () {
      if (self._keepAlive) {
        self.stream.setKeepAlive(true, self._keepAliveInitialDelayMillis)
      }
      self.emit('connect')
    })

    const reportStreamError = function (error) {
      // errors about disconnections should be ignored during disconnect
      if (self._ending && (error.code === 'ECONNRESET' || error.code === 'EPIPE')) {
        return
      }
      self.emit('error', error)
    }
    this.stream.on('error', reportStreamError)

    this.stream.on('close', function () {
      self.emit('end')
    })

    if (!this.ssl) {
      return this.attachListeners(this.stream)
    }

    // With direct SSL negotiation the TLS handshake starts immediately on the
    // raw socket, skipping the SSLRequest packet and the server's 'S'/'N' reply.
    if (this.sslNegotiation === 'direct') {
      return this.stream.once('connect', function () {
        self.upgradeToSSL(host, reportStreamError)
      })
    }

    this.stream.once('data', function (buffer) {
      const responseCode = buffer.toString('utf8')
      switch (responseCode) {
        case 'S': // Server supports SSL connections, continue with a secure connection
          break
        case 'N': // Server does not support SSL connections
          self.stream.end()
          return self.emit('error', new Error('The server does not support SSL connections'))
        default:
          // Any other response byte, including 'E' (ErrorResponse) indicating a server error
          self.stream.end()
          return self.emit('error', new Error('There was an error establishing an SSL connection'))
      }
      self.upgradeToSSL(host, reportStreamError)
    })
  }

  upgradeToSSL(host, reportStreamError) {
    const self = this
    const options = {
      socket: self.stream,
      // tls.connect checks the server identity against `servername`, falling
      // back to `host` and then to 'localhost'. `servername` must stay unset
      // for IP addresses (see below), so `host` is needed to keep certificate
      // validation working when connecting to an IP address.
      host,
    }

    if (self.ssl !== true) {
      Object.assign(options, self.ssl)

      if ('key' in self.ssl) {
        options.key = self.ssl.key
      }
    }

    // Direct SSL negotiation requires ALPN so the server can confirm it is
    // speaking the PostgreSQL protocol over the TLS connection.
    if (self.sslNegotiation === 'direct') {
      options.ALPNProtocols = ['postgresql']
    }

    // SNI must not be set to an IP address (RFC 6066 section 3)
    const net = __nccwpck_require__(9278)
    if (net.isIP && net.isIP(host) === 0) {
      options.servername = host
    }
    try {
      self.stream = stream.getSecureStream(options)
    } catch (err) {
      return self.emit('error', err)
    }
    self.attachListeners(self.stream)
    self.stream.on('error', reportStreamError)

    self.emit('sslconnect')
  }

  attachListeners(stream) {
    parse(stream, (msg) => {
      const eventName = msg.name === 'error' ? 'errorMessage' : msg.name
      if (this._emitMessage) {
        this.emit('message', msg)
      }
      this.emit(eventName, msg)
    })
  }

  requestSsl() {
    this.stream.write(serialize.requestSsl())
  }

  startup(config) {
    this.stream.write(serialize.startup(config))
  }

  cancel(processID, secretKey) {
    this._send(serialize.cancel(processID, secretKey))
  }

  password(password) {
    this._send(serialize.password(password))
  }

  sendSASLInitialResponseMessage(mechanism, initialResponse) {
    this._send(serialize.sendSASLInitialResponseMessage(mechanism, initialResponse))
  }

  sendSCRAMClientFinalMessage(additionalData) {
    this._send(serialize.sendSCRAMClientFinalMessage(additionalData))
  }

  _send(buffer) {
    if (!this.stream.writable) {
      return false
    }
    return this.stream.write(buffer)
  }

  query(text) {
    this._send(serialize.query(text))
  }

  // send parse message
  parse(query) {
    this._send(serialize.parse(query))
  }

  // send bind message
  bind(config) {
    this._send(serialize.bind(config))
  }

  // send execute message
  execute(config) {
    this._send(serialize.execute(config))
  }

  flush() {
    if (this.stream.writable) {
      this.stream.write(flushBuffer)
    }
  }

  sync() {
    // Sync is the extended-query protocol barrier, not a disconnect.
    // Only end()/Terminate (and connect-timeout teardown) should set _ending.
    this._send(syncBuffer)
  }

  ref() {
    this.stream.ref()
  }

  unref() {
    this.stream.unref()
  }

  end() {
    // 0x58 = 'X'
    this._ending = true
    if (!this._connecting || !this.stream.writable) {
      this.stream.end()
      return
    }
    return this.stream.write(endBuffer, () => {
      this.stream.end()
    })
  }

  close(msg) {
    this._send(serialize.close(msg))
  }

  describe(msg) {
    this._send(serialize.describe(msg))
  }

  sendCopyFromChunk(chunk) {
    this._send(serialize.copyData(chunk))
  }

  endCopyFrom() {
    this._send(serialize.copyDone())
  }

  sendCopyFail(msg) {
    this._send(serialize.copyFail(msg))
  }
}

module.exports = Connection


/***/ }),

/***/ 9765:
/***/ ((module) => {

function x509Error(msg, cert) {
  return new Error('SASL channel binding: ' + msg + ' when parsing public certificate ' + cert.toString('base64'))
}

function readASN1Length(data, index) {
  let length = data[index++]
  if (length < 0x80) return { length, index }

  const lengthBytes = length & 0x7f
  if (lengthBytes > 4) throw x509Error('bad length', data)

  length = 0
  for (let i = 0; i < lengthBytes; i++) {
    length = (length << 8) | data[index++]
  }

  return { length, index }
}

function readASN1OID(data, index) {
  if (data[index++] !== 0x6) throw x509Error('non-OID data', data) // 6 = OID

  const { length: OIDLength, index: indexAfterOIDLength } = readASN1Length(data, index)
  index = indexAfterOIDLength
  const lastIndex = index + OIDLength

  const byte1 = data[index++]
  let oid = ((byte1 / 40) >> 0) + '.' + (byte1 % 40)

  while (index < lastIndex) {
    // loop over numbers in OID
    let value = 0
    while (index < lastIndex) {
      // loop over bytes in number
      const nextByte = data[index++]
      value = (value << 7) | (nextByte & 0x7f)
      if (nextByte < 0x80) break
    }
    oid += '.' + value
  }

  return { oid, index }
}

function expectASN1Seq(data, index) {
  if (data[index++] !== 0x30) throw x509Error('non-sequence data', data) // 30 = Sequence
  return readASN1Length(data, index)
}

function signatureAlgorithmHashFromCertificate(data, index) {
  // read this thread: https://www.postgresql.org/message-id/17760-b6c61e752ec07060%40postgresql.org
  if (index === undefined) index = 0
  index = expectASN1Seq(data, index).index
  const { length: certInfoLength, index: indexAfterCertInfoLength } = expectASN1Seq(data, index)
  index = indexAfterCertInfoLength + certInfoLength // skip over certificate info
  index = expectASN1Seq(data, index).index // skip over signature length field
  const { oid, index: indexAfterOID } = readASN1OID(data, index)
  switch (oid) {
    // RSA
    case '1.2.840.113549.1.1.4':
      return 'MD5'
    case '1.2.840.113549.1.1.5':
      return 'SHA-1'
    case '1.2.840.113549.1.1.11':
      return 'SHA-256'
    case '1.2.840.113549.1.1.12':
      return 'SHA-384'
    case '1.2.840.113549.1.1.13':
      return 'SHA-512'
    case '1.2.840.113549.1.1.14':
      return 'SHA-224'
    case '1.2.840.113549.1.1.15':
      return 'SHA512-224'
    case '1.2.840.113549.1.1.16':
      return 'SHA512-256'
    // ECDSA
    case '1.2.840.10045.4.1':
      return 'SHA-1'
    case '1.2.840.10045.4.3.1':
      return 'SHA-224'
    case '1.2.840.10045.4.3.2':
      return 'SHA-256'
    case '1.2.840.10045.4.3.3':
      return 'SHA-384'
    case '1.2.840.10045.4.3.4':
      return 'SHA-512'
    // RSASSA-PSS: hash is indicated separately
    case '1.2.840.113549.1.1.10': {
      index = indexAfterOID
      index = expectASN1Seq(data, index).index
      if (data[index++] !== 0xa0) throw x509Error('non-tag data', data) // a0 = constructed tag 0
      index = readASN1Length(data, index).index // skip over tag length field
      index = expectASN1Seq(data, index).index // skip over sequence length field
      const { oid: hashOID } = readASN1OID(data, index)
      switch (hashOID) {
        // standalone hash OIDs
        case '1.2.840.113549.2.5':
          return 'MD5'
        case '1.3.14.3.2.26':
          return 'SHA-1'
        case '2.16.840.1.101.3.4.2.1':
          return 'SHA-256'
        case '2.16.840.1.101.3.4.2.2':
          return 'SHA-384'
        case '2.16.840.1.101.3.4.2.3':
          return 'SHA-512'
      }
      throw x509Error('unknown hash OID ' + hashOID, data)
    }
    // Ed25519 -- see https://github.com/openssl/openssl/issues/15477
    case '1.3.101.110':
    case '1.3.101.112': // ph
      return 'SHA-512'
    // Ed448 -- still not in pg 17.2 (if supported, digest would be SHAKE256 x 64 bytes)
    case '1.3.101.111':
    case '1.3.101.113': // ph
      throw x509Error('Ed448 certificate channel binding is not currently supported by Postgres')
  }
  throw x509Error('unknown OID ' + oid, data)
}

module.exports = { signatureAlgorithmHashFromCertificate }


/***/ }),

/***/ 948:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {


const crypto = __nccwpck_require__(4150)
const { signatureAlgorithmHashFromCertificate } = __nccwpck_require__(9765)

// SASLprep (RFC 4013) \u2014 minimal in-tree implementation.
//
// Per RFC 5802 \u00a72.2, the SCRAM-SHA-256 client must normalize the password via
// SASLprep before feeding it into PBKDF2. PostgreSQL's server applies the same
// SASLprep when computing the stored verifier, and libpq does the same client
// side, so passwords whose NFKC form differs from the raw form
// would otherwise authenticate against psql/libpq but fail against pg with `28P01`.
//
// We deliberately implement only the three steps that change the byte content:
//   1. RFC 3454 Table C.1.2 (non-ASCII space) \u2192 U+0020 SPACE.
//   2. RFC 3454 Table B.1 (commonly mapped to nothing) \u2192 empty.
//   3. NFKC normalization.
// We skip the prohibition (RFC 4013 \u00a72.3) and bidi (RFC 3454 \u00a76) checks.
// libpq is forgiving on those paths and Postgres's own SASLprep matches that
// leniency for legacy roles, so omitting the rejection logic keeps existing
// roles working without adding complexity.
function saslprep(password) {
  // RFC 3454 Table C.1.2 \u2014 non-ASCII space characters, mapped to U+0020.
  const nonAsciiSpace = /[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/g
  // RFC 3454 Table B.1 \u2014 "commonly mapped to nothing". The set intentionally
  // contains zero-width joiners and variation selectors \u2014 the very characters
  // ESLint's no-misleading-character-class warns about \u2014 because they combine
  // with their neighbors and the RFC strips them for that reason.
  // eslint-disable-next-line no-misleading-character-class
  const mappedToNothing = /[\u00AD\u034F\u1806\u180B\u180C\u180D\u200C\u200D\u2060\uFE00-\uFE0F\uFEFF]/g
  return password.replace(nonAsciiSpace, ' ').replace(mappedToNothing, '').normalize('NFKC')
}

const DEFAULT_MAX_SCRAM_ITERATIONS = 100000

function startSession(mechanisms, stream, scramMaxIterations = DEFAULT_MAX_SCRAM_ITERATIONS) {
  const candidates = ['SCRAM-SHA-256']
  if (stream) candidates.unshift('SCRAM-SHA-256-PLUS') // higher-priority, so placed first

  const mechanism = candidates.find((candidate) => mechanisms.includes(candidate))

  if (!mechanism) {
    throw new Error('SASL: Only mechanism(s) ' + candidates.join(' and ') + ' are supported')
  }

  if (mechanism === 'SCRAM-SHA-256-PLUS' && typeof stream.getPeerCertificate !== 'function') {
    // this should never happen if we are really talking to a Postgres server
    throw new Error('SASL: Mechanism SCRAM-SHA-256-PLUS requires a certificate')
  }

  const clientNonce = crypto.randomBytes(18).toString('base64')
  const gs2Header = mechanism === 'SCRAM-SHA-256-PLUS' ? 'p=tls-server-end-point' : stream ? 'y' : 'n'

  return {
    mechanism,
    clientNonce,
    response: gs2Header + ',,n=*,r=' + clientNonce,
    message: 'SASLInitialResponse',
    scramMaxIterations,
  }
}

async function continueSession(session, password, serverData, stream) {
  if (session.message !== 'SASLInitialResponse') {
    throw new Error('SASL: Last message was not SASLInitialResponse')
  }
  if (typeof password !== 'string') {
    throw new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string')
  }
  if (password === '') {
    throw new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a non-empty string')
  }
  if (typeof serverData !== 'string') {
    throw new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: serverData must be a string')
  }

  const sv = parseServerFirstMessage(serverData)

  if (!sv.nonce.startsWith(session.clientNonce)) {
    throw new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: server nonce does not start with client nonce')
  } else if (sv.nonce.length === session.clientNonce.length) {
    throw new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: server nonce is too short')
  }

  const scramMaxIterations =
    typeof session.scramMaxIterations === 'number' ? session.scramMaxIterations : DEFAULT_MAX_SCRAM_ITERATIONS
  // a value of 0 disables the iteration count check
  if (scramMaxIterations !== 0 && sv.iteration > scramMaxIterations) {
    throw new Error(
      'SASL: SCRAM-SERVER-FIRST-MESSAGE: iteration count ' +
        sv.iteration +
        ' exceeds scramMaxIterations of ' +
        scramMaxIterations
    )
  }

  const clientFirstMessageBare = 'n=*,r=' + session.clientNonce
  const serverFirstMessage = 'r=' + sv.nonce + ',s=' + sv.salt + ',i=' + sv.iteration

  // without channel binding:
  let channelBinding = stream ? 'eSws' : 'biws' // 'y,,' or 'n,,', base64-encoded

  // override if channel binding is in use:
  if (session.mechanism === 'SCRAM-SHA-256-PLUS') {
    const peerCert = stream.getPeerCertificate().raw
    let hashName = signatureAlgorithmHashFromCertificate(peerCert)
    if (hashName === 'MD5' || hashName === 'SHA-1') hashName = 'SHA-256'
    const certHash = await crypto.hashByName(hashName, peerCert)
    const bindingData = Buffer.concat([Buffer.from('p=tls-server-end-point,,'), Buffer.from(certHash)])
    channelBinding = bindingData.toString('base64')
  }

  const clientFinalMessageWithoutProof = 'c=' + channelBinding + ',r=' + sv.nonce
  const authMessage = clientFirstMessageBare + ',' + serverFirstMessage + ',' + clientFinalMessageWithoutProof

  const saltBytes = Buffer.from(sv.salt, 'base64')
  const saltedPassword = await crypto.deriveKey(saslprep(password), saltBytes, sv.iteration)
  const clientKey = await crypto.hmacSha256(saltedPassword, 'Client Key')
  const storedKey = await crypto.sha256(clientKey)
  const clientSignature = await crypto.hmacSha256(storedKey, authMessage)
  const clientProof = xorBuffers(Buffer.from(clientKey), Buffer.from(clientSignature)).toString('base64')
  const serverKey = await crypto.hmacSha256(saltedPassword, 'Server Key')
  const serverSignatureBytes = await crypto.hmacSha256(serverKey, authMessage)

  session.message = 'SASLResponse'
  session.serverSignature = Buffer.from(serverSignatureBytes).toString('base64')
  session.response = clientFinalMessageWithoutProof + ',p=' + clientProof
}

function finalizeSession(session, serverData) {
  if (session.message !== 'SASLResponse') {
    throw new Error('SASL: Last message was not SASLResponse')
  }
  if (typeof serverData !== 'string') {
    throw new Error('SASL: SCRAM-SERVER-FINAL-MESSAGE: serverData must be a string')
  }

  const { serverSignature } = parseServerFinalMessage(serverData)

  if (serverSignature !== session.serverSignature) {
    throw new Error('SASL: SCRAM-SERVER-FINAL-MESSAGE: server signature does not match')
  }
}

/**
 * printable       = %x21-2B / %x2D-7E
 *                   ;; Printable ASCII except ",".
 *                   ;; Note that any "printable" is also
 *                   ;; a valid "value".
 */
function isPrintableChars(text) {
  if (typeof text !== 'string') {
    throw new TypeError('SASL: text must be a string')
  }
  return text
    .split('')
    .map((_, i) => text.charCodeAt(i))
    .every((c) => (c >= 0x21 && c <= 0x2b) || (c >= 0x2d && c <= 0x7e))
}

/**
 * base64-char     = ALPHA / DIGIT / "/" / "+"
 *
 * base64-4        = 4base64-char
 *
 * base64-3        = 3base64-char "="
 *
 * base64-2        = 2base64-char "=="
 *
 * base64          = *base64-4 [base64-3 / base64-2]
 */
function isBase64(text) {
  return /^(?:[a-zA-Z0-9+/]{4})*(?:[a-zA-Z0-9+/]{2}==|[a-zA-Z0-9+/]{3}=)?$/.test(text)
}

function parseAttributePairs(text) {
  if (typeof text !== 'string') {
    throw new TypeError('SASL: attribute pairs text must be a string')
  }

  return new Map(
    text.split(',').map((attrValue) => {
      if (!/^.=/.test(attrValue)) {
        throw new Error('SASL: Invalid attribute pair entry')
      }
      const name = attrValue[0]
      const value = attrValue.substring(2)
      return [name, value]
    })
  )
}

function parseServerFirstMessage(data) {
  const attrPairs = parseAttributePairs(data)

  const nonce = attrPairs.get('r')
  if (!nonce) {
    throw new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: nonce missing')
  } else if (!isPrintableChars(nonce)) {
    throw new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: nonce must only contain printable characters')
  }
  const salt = attrPairs.get('s')
  if (!salt) {
    throw new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: salt missing')
  } else if (!isBase64(salt)) {
    throw new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: salt must be base64')
  }
  const iterationText = attrPairs.get('i')
  if (!iterationText) {
    throw new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: iteration missing')
  } else if (!/^[1-9][0-9]*$/.test(iterationText)) {
    throw new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: invalid iteration count')
  }
  const iteration = parseInt(iterationText, 10)

  return {
    nonce,
    salt,
    iteration,
  }
}

function parseServerFinalMessage(serverData) {
  const attrPairs = parseAttributePairs(serverData)
  const error = attrPairs.get('e')
  const serverSignature = attrPairs.get('v')

  if (error) {
    throw new Error(`SASL: SCRAM-SERVER-FINAL-MESSAGE: server returned error: "${error}"`)
  }

  if (!serverSignature) {
    throw new Error('SASL: SCRAM-SERVER-FINAL-MESSAGE: server signature is missing')
  } else if (!isBase64(serverSignature)) {
    throw new Error('SASL: SCRAM-SERVER-FINAL-MESSAGE: server signature must be base64')
  }
  return {
    serverSignature,
  }
}

function xorBuffers(a, b) {
  if (!Buffer.isBuffer(a)) {
    throw new TypeError('first argument must be a Buffer')
  }
  if (!Buffer.isBuffer(b)) {
    throw new TypeError('second argument must be a Buffer')
  }
  if (a.length !== b.length) {
    throw new Error('Buffer lengths must match')
  }
  if (a.length === 0) {
    throw new Error('Buffers cannot be empty')
  }
  return Buffer.from(a.map((_, i) => a[i] ^ b[i]))
}

module.exports = {
  startSession,
  continueSession,
  finalizeSession,
  DEFAULT_MAX_SCRAM_ITERATIONS,
}


/***/ }),

/***/ 4150:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

const nodeCrypto = __nccwpck_require__(6982)

module.exports = {
  postgresMd5PasswordHash,
  randomBytes,
  deriveKey,
  sha256,
  hashByName,
  hmacSha256,
  md5,
}

/**
 * The Web Crypto API - grabbed from the Node.js library or the global
 * @type Crypto
 */
// eslint-disable-next-line no-undef
const webCrypto = nodeCrypto.webcrypto || globalThis.crypto
/**
 * The SubtleCrypto API for low level crypto operations.
 * @type SubtleCrypto
 */
const subtleCrypto = webCrypto.subtle
const textEncoder = new TextEncoder()

/**
 *
 * @param {*} length
 * @returns
 */
function randomBytes(length) {
  return webCrypto.getRandomValues(Buffer.alloc(length))
}

async function md5(string) {
  try {
    return nodeCrypto.createHash('md5').update(string, 'utf-8').digest('hex')
  } catch (e) {
    // `createHash()` failed so we are probably not in Node.js, use the WebCrypto API instead.
    // Note that the MD5 algorithm on WebCrypto is not available in Node.js.
    // This is why we cannot just use WebCrypto in all environments.
    const data = typeof string === 'string' ? textEncoder.encode(string) : string
    const hash = await subtleCrypto.digest('MD5', data)
    return Array.from(new Uint8Array(hash))
      .map((b) => b.toString(16).padStart(2, '0'))
      .join('')
  }
}

// See AuthenticationMD5Password at https://www.postgresql.org/docs/current/static/protocol-flow.html
async function postgresMd5PasswordHash(user, password, salt) {
  const inner = await md5(password + user)
  const outer = await md5(Buffer.concat([Buffer.from(inner), salt]))
  return 'md5' + outer
}

/**
 * Create a SHA-256 digest of the given data
 * @param {Buffer} data
 */
async function sha256(text) {
  return await subtleCrypto.digest('SHA-256', text)
}

async function hashByName(hashName, text) {
  return await subtleCrypto.digest(hashName, text)
}

/**
 * Sign the message with the given key
 * @param {ArrayBuffer} keyBuffer
 * @param {string} msg
 */
async function hmacSha256(keyBuffer, msg) {
  const key = await subtleCrypto.importKey('raw', keyBuffer, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  return await subtleCrypto.sign('HMAC', key, textEncoder.encode(msg))
}

/**
 * Derive a key from the password and salt
 * @param {string} password
 * @param {Uint8Array} salt
 * @param {number} iterations
 */
async function deriveKey(password, salt, iterations) {
  const key = await subtleCrypto.importKey('raw', textEncoder.encode(password), 'PBKDF2', false, ['deriveBits'])
  const params = { name: 'PBKDF2', hash: 'SHA-256', salt: salt, iterations: iterations }
  return await subtleCrypto.deriveBits(params, key, 32 * 8, ['deriveBits'])
}


/***/ }),

/***/ 8995:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



let user
try {
  user = process.platform === 'win32' ? process.env.USERNAME : process.env.USER
} catch {
  // ignore, e.g., Deno without --allow-env
}

module.exports = {
  // database host. defaults to localhost
  host: 'localhost',

  // database user's name
  user,

  // name of database to connect
  database: undefined,

  // database user's password
  password: null,

  // a Postgres connection string to be used instead of setting individual connection items
  // NOTE:  Setting this value will cause it to override any other value (such as database or user) defined
  // in the defaults object.
  connectionString: undefined,

  // database port
  port: 5432,

  // number of rows to return at a time from a prepared statement's
  // portal. 0 will return all rows at once
  rows: 0,

  // binary result mode
  binary: false,

  // Connection pool options - see https://github.com/brianc/node-pg-pool

  // number of connections to use in connection pool
  // 0 will disable connection pooling
  max: 10,

  // max milliseconds a client can go unused before it is removed
  // from the pool and destroyed
  idleTimeoutMillis: 30000,

  client_encoding: '',

  ssl: false,

  // SSL negotiation style: 'postgres' (traditional SSLRequest) or 'direct'
  sslnegotiation: undefined,

  application_name: undefined,

  fallback_application_name: undefined,

  options: undefined,

  parseInputDatesAsUTC: false,

  // max milliseconds any query using this connection will execute for before timing out in error.
  // false=unlimited
  statement_timeout: false,

  // Abort any statement that waits longer than the specified duration in milliseconds while attempting to acquire a lock.
  // false=unlimited
  lock_timeout: false,

  // Terminate any session with an open transaction that has been idle for longer than the specified duration in milliseconds
  // false=unlimited
  idle_in_transaction_session_timeout: false,

  // max milliseconds to wait for query to complete (client side)
  query_timeout: false,

  connect_timeout: 0,

  keepalives: 1,

  keepalives_idle: 0,
}

const pgTypes = __nccwpck_require__(1549)
// save default parsers
const parseBigInteger = pgTypes.getTypeParser(20, 'text')
const parseBigIntegerArray = pgTypes.getTypeParser(1016, 'text')

// parse int8 so you can get your count values as actual numbers
module.exports.__defineSetter__('parseInt8', function (val) {
  pgTypes.setTypeParser(20, 'text', val ? pgTypes.getTypeParser(23, 'text') : parseBigInteger)
  pgTypes.setTypeParser(1016, 'text', val ? pgTypes.getTypeParser(1007, 'text') : parseBigIntegerArray)
})


/***/ }),

/***/ 3273:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const Client = __nccwpck_require__(5042)
const defaults = __nccwpck_require__(8995)
const Connection = __nccwpck_require__(9809)
const Result = __nccwpck_require__(6424)
const utils = __nccwpck_require__(9652)
const Pool = __nccwpck_require__(7558)
const TypeOverrides = __nccwpck_require__(365)
const { DatabaseError } = __nccwpck_require__(4233)
const { escapeIdentifier, escapeLiteral } = __nccwpck_require__(9652)

const poolFactory = (Client) => {
  return class BoundPool extends Pool {
    constructor(options) {
      super(options, Client)
    }
  }
}

const PG = function (clientConstructor) {
  this.defaults = defaults
  this.Client = clientConstructor
  this.Query = this.Client.Query
  this.Pool = poolFactory(this.Client)
  this._pools = []
  this.Connection = Connection
  this.types = __nccwpck_require__(1549)
  this.DatabaseError = DatabaseError
  this.TypeOverrides = TypeOverrides
  this.escapeIdentifier = escapeIdentifier
  this.escapeLiteral = escapeLiteral
  this.Result = Result
  this.utils = utils
}

let clientConstructor = Client

let forceNative = false
try {
  forceNative = !!process.env.NODE_PG_FORCE_NATIVE
} catch {
  // ignore, e.g., Deno without --allow-env
}

if (forceNative) {
  clientConstructor = __nccwpck_require__(5301)
}

module.exports = new PG(clientConstructor)

// lazy require native module...the native module may not have installed
Object.defineProperty(module.exports, "native", ({
  configurable: true,
  enumerable: false,
  get() {
    let native = null
    try {
      native = new PG(__nccwpck_require__(5301))
    } catch (err) {
      if (err.code !== 'MODULE_NOT_FOUND') {
        throw err
      }
    }

    // overwrite module.exports.native so that getter is never called again
    Object.defineProperty(module.exports, "native", ({
      value: native,
    }))

    return native
  },
}))


/***/ }),

/***/ 8942:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

const nodeUtils = __nccwpck_require__(9023)
// eslint-disable-next-line
var Native
// eslint-disable-next-line no-useless-catch
try {
  // Wrap this `require()` in a try-catch to avoid upstream bundlers from complaining that this might not be available since it is an optional import
  Native = __nccwpck_require__(4390)
} catch (e) {
  throw e
}
const TypeOverrides = __nccwpck_require__(365)
const EventEmitter = (__nccwpck_require__(4434).EventEmitter)
const util = __nccwpck_require__(9023)
const ConnectionParameters = __nccwpck_require__(646)

const NativeQuery = __nccwpck_require__(7581)

const queryQueueLengthDeprecationNotice = nodeUtils.deprecate(
  () => {},
  'Calling client.query() when the client is already executing a query is deprecated and will be removed in pg@9.0. Use async/await or an external async flow control mechanism instead.'
)

const Client = (module.exports = function (config) {
  EventEmitter.call(this)
  config = config || {}

  this._Promise = config.Promise || global.Promise
  this._types = new TypeOverrides(config.types)

  this.native = new Native({
    types: this._types,
  })

  this._queryQueue = []
  this._ending = false
  this._connecting = false
  this._connected = false
  this._queryable = true
  this.pipeline = Boolean(config.pipeline)
  this._pipelineInFlight = false

  // keep these on the object for legacy reasons
  // for the time being. TODO: deprecate all this jazz
  const cp = (this.connectionParameters = new ConnectionParameters(config))
  if (config.nativeConnectionString) cp.nativeConnectionString = config.nativeConnectionString
  this.user = cp.user

  // "hiding" the password so it doesn't show up in stack traces
  // or if the client is console.logged
  Object.defineProperty(this, 'password', {
    configurable: true,
    enumerable: false,
    writable: true,
    value: cp.password,
  })
  this.database = cp.database
  this.host = cp.host
  this.port = cp.port

  // a hash to hold named queries
  this.namedQueries = {}
})

Client.Query = NativeQuery

util.inherits(Client, EventEmitter)

Client.prototype._errorAllQueries = function (err) {
  const enqueueError = (query) => {
    process.nextTick(() => {
      query.native = this.native
      query.handleError(err)
    })
  }

  if (this._hasActiveQuery()) {
    enqueueError(this._activeQuery)
    this._activeQuery = null
  }

  this._queryQueue.forEach(enqueueError)
  this._queryQueue.length = 0
}

// connect to the backend
// pass an optional callback to be called once connected
// or with an error if there was a connection error
Client.prototype._connect = function (cb) {
  const self = this

  if (this._connecting) {
    process.nextTick(() => cb(new Error('Client has already been connected. You cannot reuse a client.')))
    return
  }

  this._connecting = true

  this.connectionParameters.getLibpqConnectionString(function (err, conString) {
    if (self.connectionParameters.nativeConnectionString) conString = self.connectionParameters.nativeConnectionString
    if (err) return cb(err)
    self.native.connect(conString, function (err) {
      if (err) {
        self.native.end()
        return cb(err)
      }

      // set internal states to connected
      self._connected = true

      // handle connection errors from the native layer
      self.native.on('error', function (err) {
        self._queryable = false
        self._errorAllQueries(err)
        self.emit('error', err)
      })

      self.native.on('notification', function (msg) {
        self.emit('notification', {
          channel: msg.relname,
          payload: msg.extra,
        })
      })

      // signal we are connected now
      self.emit('connect')
      self._pulseQueryQueue(true)

      cb(null, this)
    })
  })
}

Client.prototype.connect = function (callback) {
  if (callback) {
    this._connect(callback)
    return
  }

  return new this._Promise((resolve, reject) => {
    this._connect((error) => {
      if (error) {
        reject(error)
      } else {
        resolve(this)
      }
    })
  })
}

// send a query to the server
// this method is highly overloaded to take
// 1) string query, optional array of parameters, optional function callback
// 2) object query with {
//    string query
//    optional array values,
//    optional function callback instead of as a separate parameter
//    optional string name to name & cache the query plan
//    optional string rowMode = 'array' for an array of results
//  }
Client.prototype.query = function (config, values, callback) {
  let query
  let result
  let readTimeout
  let readTimeoutTimer
  let queryCallback

  if (config === null || config === undefined) {
    throw new TypeError('Client was passed a null or undefined query')
  } else if (typeof config.submit === 'function') {
    readTimeout = config.query_timeout || this.connectionParameters.query_timeout
    result = query = config
    // accept query(new Query(...), (err, res) => { }) style
    if (typeof values === 'function') {
      config.callback = values
    }
  } else {
    readTimeout = config.query_timeout || this.connectionParameters.query_timeout
    query = new NativeQuery(config, values, callback)
    if (!query.callback) {
      let resolveOut, rejectOut
      result = new this._Promise((resolve, reject) => {
        resolveOut = resolve
        rejectOut = reject
      }).catch((err) => {
        Error.captureStackTrace(err)
        throw err
      })
      query.callback = (err, res) => (err ? rejectOut(err) : resolveOut(res))
    }
  }

  if (readTimeout) {
    queryCallback = query.callback || (() => {})

    readTimeoutTimer = setTimeout(() => {
      const error = new Error('Query read timeout')

      process.nextTick(() => {
        query.handleError(error, this.connection)
      })

      queryCallback(error)

      // we already returned an error,
      // just do nothing if query completes
      query.callback = () => {}

      // Remove from queue
      const index = this._queryQueue.indexOf(query)
      if (index > -1) {
        this._queryQueue.splice(index, 1)
      }

      this._pulseQueryQueue()
    }, readTimeout)

    query.callback = (err, res) => {
      clearTimeout(readTimeoutTimer)
      queryCallback(err, res)
    }
  }

  if (!this._queryable) {
    query.native = this.native
    process.nextTick(() => {
      query.handleError(new Error('Client has encountered a connection error and is not queryable'))
    })
    return result
  }

  if (this._ending) {
    query.native = this.native
    process.nextTick(() => {
      query.handleError(new Error('Client was closed and is not queryable'))
    })
    return result
  }

  if (this._queryQueue.length > 0 && !this.pipeline) {
    queryQueueLengthDeprecationNotice()
  }

  this._queryQueue.push(query)
  this._pulseQueryQueue()
  return result
}

// disconnect from the backend server
Client.prototype.end = function (cb) {
  const self = this

  this._ending = true

  if (this._connecting && !this._connected) {
    this.once('connect', () => {
      this.end(() => {})
    })
  }
  let result
  if (!cb) {
    result = new this._Promise(function (resolve, reject) {
      cb = (err) => (err ? reject(err) : resolve())
    })
  }

  const doEnd = function () {
    self.native.end(function () {
      self._connected = false

      self._errorAllQueries(new Error('Connection terminated'))

      process.nextTick(() => {
        self.emit('end')
        if (cb) cb()
      })
    })
  }

  // If pipeline has in-flight or queued queries, wait for them to drain before closing
  if (this.pipeline && (this._pipelineInFlight || this._queryQueue.length > 0)) {
    this.once('drain', doEnd)
  } else {
    doEnd()
  }
  return result
}

Client.prototype._hasActiveQuery = function () {
  return this._activeQuery && this._activeQuery.state !== 'error' && this._activeQuery.state !== 'end'
}

Client.prototype._pulseQueryQueue = function (initialConnection) {
  if (!this._connected) {
    return
  }
  if (this.pipeline && !initialConnection) {
    return this._pulsePipelinedQueryQueue()
  }
  if (this._hasActiveQuery()) {
    return
  }
  const query = this._queryQueue.shift()
  if (!query) {
    if (!initialConnection) {
      this.emit('drain')
    }
    return
  }
  this._activeQuery = query
  query.submit(this)
  const self = this
  query.once('_done', function () {
    self._pulseQueryQueue()
  })
}

Client.prototype._pulsePipelinedQueryQueue = function () {
  if (!this._connected || this._pipelineInFlight) {
    return
  }
  if (this._queryQueue.length === 0) {
    if (this.hasExecuted) {
      this.emit('drain')
    }
    return
  }

  this._pipelineInFlight = true
  const self = this
  const queries = []
  const nativeQueries = []
  const utils = __nccwpck_require__(9652)

  while (this._queryQueue.length > 0) {
    const query = this._queryQueue.shift()
    this.hasExecuted = true
    nativeQueries.push(query)

    const values = query.values ? query.values.map(utils.prepareValue) : null
    const pipelineEntry = { text: query.text, name: query.name, arrayMode: query._arrayMode }
    if (values) {
      pipelineEntry.values = values
    }
    if (query.name && this.namedQueries[query.name]) {
      pipelineEntry._alreadyPrepared = true
    }
    queries.push(pipelineEntry)
  }

  this.native.pipeline(queries, function (err, results) {
    self._pipelineInFlight = false

    if (err) {
      // Total pipeline failure. Per-query errors arrive on results[i].err, so reaching here means
      // the connection itself is gone: mark it unusable and say so, the way the JS client and the
      // non-pipelined native path both do. Without this the client looks healthy after losing its
      // backend, a Pool never discards it, and everything routed to it fails one query at a time
      // for the life of the process.
      self._connected = false
      self._queryable = false
      for (let i = 0; i < nativeQueries.length; i++) {
        const q = nativeQueries[i]
        q.native = self.native
        q.handleError(err)
      }
      self._errorAllQueries(err)
      self.emit('error', err)
      self.emit('end')
      return
    }

    // Deliver results to each query
    for (let i = 0; i < nativeQueries.length; i++) {
      const q = nativeQueries[i]
      const r = results[i]
      q.native = self.native

      if (r.err) {
        q.handleError(r.err)
      } else {
        // Track named queries on success
        if (q.name) {
          self.namedQueries[q.name] = q.text
        }
        q.state = 'end'
        q.emit('end', r.result)
        if (q.callback) {
          q.callback(null, r.result)
        }
      }

      setImmediate(function () {
        q.emit('_done')
      })
    }

    // Process any queries that arrived while we were reading
    self._pulsePipelinedQueryQueue()
  })
}

// attempt to cancel an in-progress query
Client.prototype.cancel = function (query) {
  if (this._activeQuery === query) {
    this.native.cancel(function () {})
  } else if (this._queryQueue.indexOf(query) !== -1) {
    this._queryQueue.splice(this._queryQueue.indexOf(query), 1)
  }
}

Client.prototype.ref = function () {}
Client.prototype.unref = function () {}

Client.prototype.setTypeParser = function (oid, format, parseFn) {
  return this._types.setTypeParser(oid, format, parseFn)
}

Client.prototype.getTypeParser = function (oid, format) {
  return this._types.getTypeParser(oid, format)
}

Client.prototype.isConnected = function () {
  return this._connected
}

Client.prototype.getTransactionStatus = function () {
  return this.native.getTransactionStatus()
}


/***/ }),

/***/ 5301:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {


module.exports = __nccwpck_require__(8942)


/***/ }),

/***/ 7581:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const EventEmitter = (__nccwpck_require__(4434).EventEmitter)
const util = __nccwpck_require__(9023)
const utils = __nccwpck_require__(9652)

const NativeQuery = (module.exports = function (config, values, callback) {
  EventEmitter.call(this)
  config = utils.normalizeQueryConfig(config, values, callback)
  this.text = config.text
  this.values = config.values
  this.name = config.name
  this.queryMode = config.queryMode
  this.callback = config.callback
  this.state = 'new'
  this._arrayMode = config.rowMode === 'array'

  // if the 'row' event is listened for
  // then emit them as they come in
  // without setting singleRowMode to true
  // this has almost no meaning because libpq
  // reads all rows into memory before returning any
  this._emitRowEvents = false
  this.on(
    'newListener',
    function (event) {
      if (event === 'row') this._emitRowEvents = true
    }.bind(this)
  )
})

util.inherits(NativeQuery, EventEmitter)

const errorFieldMap = {
  sqlState: 'code',
  statementPosition: 'position',
  messagePrimary: 'message',
  messageDetail: 'detail',
  messageHint: 'hint',
  context: 'where',
  schemaName: 'schema',
  tableName: 'table',
  columnName: 'column',
  dataTypeName: 'dataType',
  constraintName: 'constraint',
  sourceFile: 'file',
  sourceLine: 'line',
  sourceFunction: 'routine',
}

NativeQuery.prototype.handleError = function (err) {
  // copy pq error fields into the error object
  const fields = this.native && this.native.pq.resultErrorFields()
  if (fields) {
    for (const key in fields) {
      const normalizedFieldName = errorFieldMap[key] || key
      err[normalizedFieldName] = fields[key]
    }
  }
  if (this.callback) {
    this.callback(err)
  } else {
    this.emit('error', err)
  }
  this.state = 'error'
}

NativeQuery.prototype.then = function (onSuccess, onFailure) {
  return this._getPromise().then(onSuccess, onFailure)
}

NativeQuery.prototype.catch = function (callback) {
  return this._getPromise().catch(callback)
}

NativeQuery.prototype._getPromise = function () {
  if (this._promise) return this._promise
  this._promise = new Promise(
    function (resolve, reject) {
      this._once('end', resolve)
      this._once('error', reject)
    }.bind(this)
  )
  return this._promise
}

NativeQuery.prototype.submit = function (client) {
  this.state = 'running'
  const self = this
  this.native = client.native
  client.native.arrayMode = this._arrayMode

  let after = function (err, rows, results) {
    client.native.arrayMode = false
    setImmediate(function () {
      self.emit('_done')
    })

    // handle possible query error
    if (err) {
      return self.handleError(err)
    }

    // emit row events for each row in the result
    if (self._emitRowEvents) {
      if (results.length > 1) {
        rows.forEach((rowOfRows, i) => {
          rowOfRows.forEach((row) => {
            self.emit('row', row, results[i])
          })
        })
      } else {
        rows.forEach(function (row) {
          self.emit('row', row, results)
        })
      }
    }

    // handle successful result
    self.state = 'end'
    self.emit('end', results)
    if (self.callback) {
      self.callback(null, results)
    }
  }

  if (process.domain) {
    after = process.domain.bind(after)
  }

  // named query
  if (this.name) {
    if (this.name.length > 63) {
      console.error('Warning! Postgres only supports 63 characters for query names.')
      console.error('You supplied %s (%s)', this.name, this.name.length)
      console.error('This can cause conflicts and silent errors executing queries')
    }
    const values = (this.values || []).map(utils.prepareValue)

    // check if the client has already executed this named query
    // if so...just execute it again - skip the planning phase
    if (client.namedQueries[this.name] !== undefined) {
      if (this.text && client.namedQueries[this.name] !== this.text) {
        const err = new Error(`Prepared statements must be unique - '${this.name}' was used for a different statement`)
        return after(err)
      }
      return client.native.execute(this.name, values, after)
    }
    // plan the named query the first time, then execute it
    return client.native.prepare(this.name, this.text, values.length, function (err) {
      if (err) return after(err)
      client.namedQueries[self.name] = self.text
      return self.native.execute(self.name, values, after)
    })
  } else if (this.values) {
    if (!Array.isArray(this.values)) {
      const err = new Error('Query values must be an array')
      return after(err)
    }
    const vals = this.values.map(utils.prepareValue)
    client.native.query(this.text, vals, after)
  } else if (this.queryMode === 'extended') {
    client.native.query(this.text, [], after)
  } else {
    client.native.query(this.text, after)
  }
}


/***/ }),

/***/ 4473:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const { EventEmitter } = __nccwpck_require__(4434)

const Result = __nccwpck_require__(6424)
const utils = __nccwpck_require__(9652)

class Query extends EventEmitter {
  constructor(config, values, callback) {
    super()

    config = utils.normalizeQueryConfig(config, values, callback)

    this.text = config.text
    this.values = config.values
    this.rows = config.rows
    this.types = config.types
    this.name = config.name
    this.queryMode = config.queryMode
    this.binary = config.binary
    // use unique portal name each time
    this.portal = config.portal || ''
    this.callback = config.callback
    this._rowMode = config.rowMode
    if (process.domain && config.callback) {
      this.callback = process.domain.bind(config.callback)
    }
    this._result = new Result(this._rowMode, this.types)

    // potential for multiple results
    this._results = this._result
    this._canceledDueToError = false
  }

  requiresPreparation() {
    if (this.queryMode === 'extended') {
      return true
    }

    // named queries must always be prepared
    if (this.name) {
      return true
    }
    // always prepare if there are max number of rows expected per
    // portal execution
    if (this.rows) {
      return true
    }
    // don't prepare empty text queries
    if (!this.text) {
      return false
    }
    // prepare if there are values
    if (!this.values) {
      return false
    }
    return this.values.length > 0
  }

  _checkForMultirow() {
    // if we already have a result with a command property
    // then we've already executed one query in a multi-statement simple query
    // turn our results into an array of results
    if (this._result.command) {
      if (!Array.isArray(this._results)) {
        this._results = [this._result]
      }
      this._result = new Result(this._rowMode, this._result._types)
      this._results.push(this._result)
    }
  }

  // associates row metadata from the supplied
  // message with this query object
  // metadata used when parsing row results
  handleRowDescription(msg) {
    this._checkForMultirow()
    this._result.addFields(msg.fields)
    this._accumulateRows = this.callback || !this.listeners('row').length
  }

  handleDataRow(msg) {
    let row

    if (this._canceledDueToError) {
      return
    }

    try {
      row = this._result.parseRow(msg.fields)
    } catch (err) {
      this._canceledDueToError = err
      return
    }

    this.emit('row', row, this._result)
    if (this._accumulateRows) {
      this._result.addRow(row)
    }
  }

  handleCommandComplete(msg, connection) {
    this._checkForMultirow()
    this._result.addCommandComplete(msg)
    // need to sync after each command complete of a prepared statement
    // if we were using a row count which results in multiple calls to _getRows
    if (this.rows) {
      connection.sync()
    }
  }

  // if a named prepared statement is created with empty query text
  // the backend will send an emptyQuery message but *not* a command complete message
  // since we pipeline sync immediately after execute we don't need to do anything here
  // unless we have rows specified, in which case we did not pipeline the initial sync call
  handleEmptyQuery(connection) {
    if (this.rows) {
      connection.sync()
    }
  }

  handleError(err, connection) {
    // need to sync after error during a prepared statement
    if (this._canceledDueToError) {
      err = this._canceledDueToError
      this._canceledDueToError = false
    }
    // if callback supplied do not emit error event as uncaught error
    // events will bubble up to node process
    if (this.callback) {
      return this.callback(err)
    }
    this.emit('error', err)
  }

  handleReadyForQuery(con) {
    if (this._canceledDueToError) {
      return this.handleError(this._canceledDueToError, con)
    }
    if (this.callback) {
      try {
        this.callback(null, this._results)
      } catch (err) {
        process.nextTick(() => {
          throw err
        })
      }
    }
    this.emit('end', this._results)
  }

  submit(connection) {
    if (typeof this.text !== 'string' && typeof this.name !== 'string') {
      return new Error('A query must have either text or a name. Supplying neither is unsupported.')
    }
    const previous = connection.parsedStatements[this.name] || connection.submittedNamedStatements[this.name]
    if (this.text && previous && this.text !== previous) {
      return new Error(`Prepared statements must be unique - '${this.name}' was used for a different statement`)
    }
    if (this.values && !Array.isArray(this.values)) {
      return new Error('Query values must be an array')
    }
    if (this.requiresPreparation()) {
      // If we're using the extended query protocol we fire off several separate commands
      // to the backend. On some versions of node & some operating system versions
      // the network stack writes each message separately instead of buffering them together
      // causing the client & network to send more slowly. Corking & uncorking the stream
      // allows node to buffer up the messages internally before sending them all off at once.
      // note: we're checking for existence of cork/uncork because some versions of streams
      // might not have this (cloudflare?)
      connection.stream.cork && connection.stream.cork()
      try {
        this.prepare(connection)
      } finally {
        // while unlikely for this.prepare to throw, if it does & we don't uncork this stream
        // this client becomes unresponsive, so put in finally block "just in case"
        connection.stream.uncork && connection.stream.uncork()
      }
    } else {
      connection.query(this.text)
    }
    return null
  }

  hasBeenParsed(connection) {
    return (
      this.name &&
      (connection.parsedStatements[this.name] !== undefined ||
        connection.submittedNamedStatements[this.name] !== undefined)
    )
  }

  handlePortalSuspended(connection) {
    this._getRows(connection, this.rows)
  }

  _getRows(connection, rows) {
    connection.execute({
      portal: this.portal,
      rows: rows,
    })
    // if we're not reading pages of rows send the sync command
    // to indicate the pipeline is finished
    if (!rows) {
      connection.sync()
    } else {
      // otherwise flush the call out to read more rows
      connection.flush()
    }
  }

  // http://developer.postgresql.org/pgdocs/postgres/protocol-flow.html#PROTOCOL-FLOW-EXT-QUERY
  prepare(connection) {
    // TODO refactor this poor encapsulation
    if (!this.hasBeenParsed(connection)) {
      connection.parse({
        text: this.text,
        name: this.name,
        types: this.types,
      })
      if (this.name) {
        connection.submittedNamedStatements[this.name] = this.text
      }
    }

    // because we're mapping user supplied values to
    // postgres wire protocol compatible values it could
    // throw an exception, so try/catch this section
    try {
      connection.bind({
        portal: this.portal,
        statement: this.name,
        values: this.values,
        binary: this.binary,
        valueMapper: utils.prepareValue,
      })
    } catch (err) {
      // we should close parse to avoid leaking connections
      connection.close({ type: 'S', name: this.name })
      connection.sync()

      this.handleError(err, connection)
      return
    }

    connection.describe({
      type: 'P',
      name: this.portal || '',
    })

    this._getRows(connection, this.rows)
  }

  handleCopyInResponse(connection) {
    connection.sendCopyFail('No source stream defined')
  }

  handleCopyData(msg, connection) {
    // noop
  }
}

module.exports = Query


/***/ }),

/***/ 6424:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const types = __nccwpck_require__(1549)

const matchRegexp = /^([A-Za-z]+)(?: (\d+))?(?: (\d+))?/

// result object returned from query
// in the 'end' event and also
// passed as second argument to provided callback
class Result {
  constructor(rowMode, types) {
    this.command = null
    this.rowCount = null
    this.oid = null
    this.rows = []
    this.fields = []
    this._parsers = undefined
    this._types = types
    this.RowCtor = null
    this.rowAsArray = rowMode === 'array'
    if (this.rowAsArray) {
      this.parseRow = this._parseRowAsArray
    }
    this._prebuiltEmptyResultObject = null
  }

  // adds a command complete message
  addCommandComplete(msg) {
    let match
    if (msg.text) {
      // pure javascript
      match = matchRegexp.exec(msg.text)
    } else {
      // native bindings
      match = matchRegexp.exec(msg.command)
    }
    if (match) {
      this.command = match[1]
      if (match[3]) {
        // COMMAND OID ROWS
        this.oid = parseInt(match[2], 10)
        this.rowCount = parseInt(match[3], 10)
      } else if (match[2]) {
        // COMMAND ROWS
        this.rowCount = parseInt(match[2], 10)
      }
    }
  }

  _parseRowAsArray(rowData) {
    const row = new Array(rowData.length)
    for (let i = 0, len = rowData.length; i < len; i++) {
      const rawValue = rowData[i]
      if (rawValue !== null) {
        row[i] = this._parsers[i](rawValue)
      } else {
        row[i] = null
      }
    }
    return row
  }

  parseRow(rowData) {
    const row = { ...this._prebuiltEmptyResultObject }
    for (let i = 0, len = rowData.length; i < len; i++) {
      const rawValue = rowData[i]
      const field = this.fields[i].name
      if (rawValue !== null) {
        const v = this.fields[i].format === 'binary' ? Buffer.from(rawValue) : rawValue
        row[field] = this._parsers[i](v)
      } else {
        row[field] = null
      }
    }
    return row
  }

  addRow(row) {
    this.rows.push(row)
  }

  addFields(fieldDescriptions) {
    // clears field definitions
    // multiple query statements in 1 action can result in multiple sets
    // of rowDescriptions...eg: 'select NOW(); select 1::int;'
    // you need to reset the fields
    this.fields = fieldDescriptions
    if (this.fields.length) {
      this._parsers = new Array(fieldDescriptions.length)
    }

    const row = Object.create(null)

    for (let i = 0; i < fieldDescriptions.length; i++) {
      const desc = fieldDescriptions[i]
      row[desc.name] = null

      if (this._types) {
        this._parsers[i] = this._types.getTypeParser(desc.dataTypeID, desc.format || 'text')
      } else {
        this._parsers[i] = types.getTypeParser(desc.dataTypeID, desc.format || 'text')
      }
    }

    this._prebuiltEmptyResultObject = { ...row }
  }
}

module.exports = Result


/***/ }),

/***/ 829:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

const { getStream, getSecureStream } = getStreamFuncs()

module.exports = {
  /**
   * Get a socket stream compatible with the current runtime environment.
   * @returns {Duplex}
   */
  getStream,
  /**
   * Get a TLS secured socket, compatible with the current environment,
   * using the socket and other settings given in `options`.
   * @returns {Duplex}
   */
  getSecureStream,
}

/**
 * The stream functions that work in Node.js
 */
function getNodejsStreamFuncs() {
  function getStream(ssl) {
    const net = __nccwpck_require__(9278)
    return new net.Socket()
  }

  function getSecureStream(options) {
    const tls = __nccwpck_require__(4756)
    return tls.connect(options)
  }
  return {
    getStream,
    getSecureStream,
  }
}

/**
 * The stream functions that work in Cloudflare Workers
 */
function getCloudflareStreamFuncs() {
  function getStream(ssl) {
    const { CloudflareSocket } = __nccwpck_require__(785)
    return new CloudflareSocket(ssl)
  }

  function getSecureStream(options) {
    options.socket.startTls(options)
    return options.socket
  }
  return {
    getStream,
    getSecureStream,
  }
}

/**
 * Are we running in a Cloudflare Worker?
 *
 * @returns true if the code is currently running inside a Cloudflare Worker.
 */
function isCloudflareRuntime() {
  // Since 2022-03-21 the `global_navigator` compatibility flag is on for Cloudflare Workers
  // which means that `navigator.userAgent` will be defined.
  // eslint-disable-next-line no-undef
  if (typeof navigator === 'object' && navigator !== null && typeof navigator.userAgent === 'string') {
    // eslint-disable-next-line no-undef
    return navigator.userAgent === 'Cloudflare-Workers'
  }
  // In case `navigator` or `navigator.userAgent` is not defined then try a more sneaky approach
  if (typeof Response === 'function') {
    const resp = new Response(null, { cf: { thing: true } })
    if (typeof resp.cf === 'object' && resp.cf !== null && resp.cf.thing) {
      return true
    }
  }
  return false
}

function getStreamFuncs() {
  if (isCloudflareRuntime()) {
    return getCloudflareStreamFuncs()
  }
  return getNodejsStreamFuncs()
}


/***/ }),

/***/ 365:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const types = __nccwpck_require__(1549)

function TypeOverrides(userTypes) {
  this._types = userTypes || types
  this.text = {}
  this.binary = {}
}

TypeOverrides.prototype.getOverrides = function (format) {
  switch (format) {
    case 'text':
      return this.text
    case 'binary':
      return this.binary
    default:
      return {}
  }
}

TypeOverrides.prototype.setTypeParser = function (oid, format, parseFn) {
  if (typeof format === 'function') {
    parseFn = format
    format = 'text'
  }
  this.getOverrides(format)[oid] = parseFn
}

TypeOverrides.prototype.getTypeParser = function (oid, format) {
  format = format || 'text'
  return this.getOverrides(format)[oid] || this._types.getTypeParser(oid, format)
}

module.exports = TypeOverrides


/***/ }),

/***/ 9652:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const defaults = __nccwpck_require__(8995)
const nodeUtils = __nccwpck_require__(9023)

const { isDate } = __nccwpck_require__(8253)

const invalidDateDeprecationNotice = nodeUtils.deprecate(
  () => {},
  'Sending an invalid date to Postgres is deprecated and will throw an error in the next major version of pg. Ensure any Date object passed as a query parameter is valid.',
  'PG_INVALID_DATE'
)

function escapeElement(elementRepresentation) {
  const escaped = elementRepresentation.replace(/\\/g, '\\\\').replace(/"/g, '\\"')

  return '"' + escaped + '"'
}

// convert a JS array to a postgres array literal
// uses comma separator so won't work for types like box that use
// a different array separator.
function arrayString(val) {
  let result = '{'
  for (let i = 0; i < val.length; i++) {
    if (i > 0) {
      result += ','
    }
    let item = val[i]
    if (item == null) {
      result += 'NULL'
    } else if (Array.isArray(item)) {
      result += arrayString(item)
    } else if (ArrayBuffer.isView(item)) {
      if (!(item instanceof Buffer)) {
        item = Buffer.from(item.buffer, item.byteOffset, item.byteLength)
      }
      result += '\\\\x' + item.toString('hex')
    } else {
      result += escapeElement(prepareValue(item))
    }
  }
  result += '}'
  return result
}

// converts values from javascript types
// to their 'raw' counterparts for use as a postgres parameter
// note: you can override this function to provide your own conversion mechanism
// for complex types, etc...
const prepareValue = function (val, seen) {
  // null and undefined are both null for postgres
  if (val == null) {
    return null
  }
  if (typeof val === 'object') {
    if (val instanceof Buffer) {
      return val
    }
    if (ArrayBuffer.isView(val)) {
      return Buffer.from(val.buffer, val.byteOffset, val.byteLength)
    }
    if (isDate(val)) {
      if (isNaN(val.getTime())) {
        invalidDateDeprecationNotice()
      }
      if (defaults.parseInputDatesAsUTC) {
        return dateToStringUTC(val)
      } else {
        return dateToString(val)
      }
    }
    if (Array.isArray(val)) {
      return arrayString(val)
    }

    return prepareObject(val, seen)
  }
  return val.toString()
}

function prepareObject(val, seen) {
  if (val && typeof val.toPostgres === 'function') {
    seen = seen || []
    if (seen.indexOf(val) !== -1) {
      throw new Error('circular reference detected while preparing "' + val + '" for query')
    }
    seen.push(val)

    return prepareValue(val.toPostgres(prepareValue), seen)
  }
  return JSON.stringify(val)
}

function dateToString(date) {
  let offset = -date.getTimezoneOffset()

  let year = date.getFullYear()
  const isBCYear = year < 1
  if (isBCYear) year = Math.abs(year) + 1 // negative years are 1 off their BC representation

  let ret =
    String(year).padStart(4, '0') +
    '-' +
    String(date.getMonth() + 1).padStart(2, '0') +
    '-' +
    String(date.getDate()).padStart(2, '0') +
    'T' +
    String(date.getHours()).padStart(2, '0') +
    ':' +
    String(date.getMinutes()).padStart(2, '0') +
    ':' +
    String(date.getSeconds()).padStart(2, '0') +
    '.' +
    String(date.getMilliseconds()).padStart(3, '0')

  if (offset < 0) {
    ret += '-'
    offset *= -1
  } else {
    ret += '+'
  }

  ret += String(Math.floor(offset / 60)).padStart(2, '0') + ':' + String(offset % 60).padStart(2, '0')
  if (isBCYear) ret += ' BC'
  return ret
}

function dateToStringUTC(date) {
  let year = date.getUTCFullYear()
  const isBCYear = year < 1
  if (isBCYear) year = Math.abs(year) + 1 // negative years are 1 off their BC representation

  let ret =
    String(year).padStart(4, '0') +
    '-' +
    String(date.getUTCMonth() + 1).padStart(2, '0') +
    '-' +
    String(date.getUTCDate()).padStart(2, '0') +
    'T' +
    String(date.getUTCHours()).padStart(2, '0') +
    ':' +
    String(date.getUTCMinutes()).padStart(2, '0') +
    ':' +
    String(date.getUTCSeconds()).padStart(2, '0') +
    '.' +
    String(date.getUTCMilliseconds()).padStart(3, '0')

  ret += '+00:00'
  if (isBCYear) ret += ' BC'
  return ret
}

function normalizeQueryConfig(config, values, callback) {
  // can take in strings or config objects
  // Copy config so normalization does not mutate the caller's object.
  config = typeof config === 'string' ? { text: config } : cloneQueryConfig(config)
  if (values) {
    if (typeof values === 'function') {
      config.callback = values
    } else {
      config.values = values
    }
  }
  if (callback) {
    config.callback = callback
  }
  return config
}

function cloneQueryConfig(config) {
  if (config == null) {
    return config
  }
  return Object.defineProperties(Object.create(Object.getPrototypeOf(config)), Object.getOwnPropertyDescriptors(config))
}

// Ported from PostgreSQL 9.2.4 source code in src/interfaces/libpq/fe-exec.c
const escapeIdentifier = function (str) {
  return '"' + str.replace(/"/g, '""') + '"'
}

const escapeLiteral = function (str) {
  let hasBackslash = false
  let escaped = "'"

  if (str == null) {
    return "''"
  }

  if (typeof str !== 'string') {
    return "''"
  }

  for (let i = 0; i < str.length; i++) {
    const c = str[i]
    if (c === "'") {
      escaped += c + c
    } else if (c === '\\') {
      escaped += c + c
      hasBackslash = true
    } else {
      escaped += c
    }
  }

  escaped += "'"

  if (hasBackslash === true) {
    escaped = ' E' + escaped
  }

  return escaped
}

module.exports = {
  prepareValue: function prepareValueWrapper(value) {
    // this ensures that extra arguments do not get passed into prepareValue
    // by accident, eg: from calling values.map(utils.prepareValue)
    return prepareValue(value)
  },
  normalizeQueryConfig,
  escapeIdentifier,
  escapeLiteral,
}


/***/ }),

/***/ 8702:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



var path = __nccwpck_require__(6928)
  , Stream = (__nccwpck_require__(2203).Stream)
  , split = __nccwpck_require__(5286)
  , util = __nccwpck_require__(9023)
  , defaultPort = 5432
  , isWin = (process.platform === 'win32')
  , warnStream = process.stderr
;


var S_IRWXG = 56     //    00070(8)
  , S_IRWXO = 7      //    00007(8)
  , S_IFMT  = 61440  // 00170000(8)
  , S_IFREG = 32768  //  0100000(8)
;
function isRegFile(mode) {
    return ((mode & S_IFMT) == S_IFREG);
}

var fieldNames = [ 'host', 'port', 'database', 'user', 'password' ];
var nrOfFields = fieldNames.length;
var passKey = fieldNames[ nrOfFields -1 ];


function warn() {
    var isWritable = (
        warnStream instanceof Stream &&
          true === warnStream.writable
    );

    if (isWritable) {
        var args = Array.prototype.slice.call(arguments).concat("\n");
        warnStream.write( util.format.apply(util, args) );
    }
}


Object.defineProperty(module.exports, "isWin", ({
    get : function() {
        return isWin;
    } ,
    set : function(val) {
        isWin = val;
    }
}));


module.exports.warnTo = function(stream) {
    var old = warnStream;
    warnStream = stream;
    return old;
};

module.exports.getFileName = function(rawEnv){
    var env = rawEnv || process.env;
    var file = env.PGPASSFILE || (
        isWin ?
          path.join( env.APPDATA || './' , 'postgresql', 'pgpass.conf' ) :
          path.join( env.HOME || './', '.pgpass' )
    );
    return file;
};

module.exports.usePgPass = function(stats, fname) {
    if (Object.prototype.hasOwnProperty.call(process.env, 'PGPASSWORD')) {
        return false;
    }

    if (isWin) {
        return true;
    }

    fname = fname || '<unkn>';

    if (! isRegFile(stats.mode)) {
        warn('WARNING: password file "%s" is not a plain file', fname);
        return false;
    }

    if (stats.mode & (S_IRWXG | S_IRWXO)) {
        /* If password file is insecure, alert the user and ignore it. */
        warn('WARNING: password file "%s" has group or world access; permissions should be u=rw (0600) or less', fname);
        return false;
    }

    return true;
};


var matcher = module.exports.match = function(connInfo, entry) {
    return fieldNames.slice(0, -1).reduce(function(prev, field, idx){
        if (idx == 1) {
            // the port
            if ( Number( connInfo[field] || defaultPort ) === Number( entry[field] ) ) {
                return prev && true;
            }
        }
        return prev && (
            entry[field] === '*' ||
              entry[field] === connInfo[field]
        );
    }, true);
};


module.exports.getPassword = function(connInfo, stream, cb) {
    var pass;
    var lineStream = stream.pipe(split());

    function onLine(line) {
        var entry = parseLine(line);
        if (entry && isValidEntry(entry) && matcher(connInfo, entry)) {
            pass = entry[passKey];
            lineStream.end(); // -> calls onEnd(), but pass is set now
        }
    }

    var onEnd = function() {
        stream.destroy();
        cb(pass);
    };

    var onErr = function(err) {
        stream.destroy();
        warn('WARNING: error on reading file: %s', err);
        cb(undefined);
    };

    stream.on('error', onErr);
    lineStream
        .on('data', onLine)
        .on('end', onEnd)
        .on('error', onErr)
    ;

};


var parseLine = module.exports.parseLine = function(line) {
    if (line.length < 11 || line.match(/^\s+#/)) {
        return null;
    }

    var curChar = '';
    var prevChar = '';
    var fieldIdx = 0;
    var startIdx = 0;
    var endIdx = 0;
    var obj = {};
    var isLastField = false;
    var addToObj = function(idx, i0, i1) {
        var field = line.substring(i0, i1);

        if (! Object.hasOwnProperty.call(process.env, 'PGPASS_NO_DEESCAPE')) {
            field = field.replace(/\\([:\\])/g, '$1');
        }

        obj[ fieldNames[idx] ] = field;
    };

    for (var i = 0 ; i < line.length-1 ; i += 1) {
        curChar = line.charAt(i+1);
        prevChar = line.charAt(i);

        isLastField = (fieldIdx == nrOfFields-1);

        if (isLastField) {
            addToObj(fieldIdx, startIdx);
            break;
        }

        if (i >= 0 && curChar == ':' && prevChar !== '\\') {
            addToObj(fieldIdx, startIdx, i+1);

            startIdx = i+2;
            fieldIdx += 1;
        }
    }

    obj = ( Object.keys(obj).length === nrOfFields ) ? obj : null;

    return obj;
};


var isValidEntry = module.exports.isValidEntry = function(entry){
    var rules = {
        // host
        0 : function(x){
            return x.length > 0;
        } ,
        // port
        1 : function(x){
            if (x === '*') {
                return true;
            }
            x = Number(x);
            return (
                isFinite(x) &&
                  x > 0 &&
                  x < 9007199254740992 &&
                  Math.floor(x) === x
            );
        } ,
        // database
        2 : function(x){
            return x.length > 0;
        } ,
        // username
        3 : function(x){
            return x.length > 0;
        } ,
        // password
        4 : function(x){
            return x.length > 0;
        }
    };

    for (var idx = 0 ; idx < fieldNames.length ; idx += 1) {
        var rule = rules[idx];
        var value = entry[ fieldNames[idx] ] || '';

        var res = rule(value);
        if (!res) {
            return false;
        }
    }

    return true;
};



/***/ }),

/***/ 3272:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



var path = __nccwpck_require__(6928)
  , fs = __nccwpck_require__(9896)
  , helper = __nccwpck_require__(8702)
;


module.exports = function(connInfo, cb) {
    var file = helper.getFileName();
    
    fs.stat(file, function(err, stat){
        if (err || !helper.usePgPass(stat, file)) {
            return cb(undefined);
        }

        var st = fs.createReadStream(file);

        helper.getPassword(connInfo, st, cb);
    });
};

module.exports.warnTo = helper.warnTo;


/***/ }),

/***/ 3879:
/***/ ((__unused_webpack_module, exports) => {



exports.parse = function (source, transform) {
  return new ArrayParser(source, transform).parse()
}

class ArrayParser {
  constructor (source, transform) {
    this.source = source
    this.transform = transform || identity
    this.position = 0
    this.entries = []
    this.recorded = []
    this.dimension = 0
  }

  isEof () {
    return this.position >= this.source.length
  }

  nextCharacter () {
    var character = this.source[this.position++]
    if (character === '\\') {
      return {
        value: this.source[this.position++],
        escaped: true
      }
    }
    return {
      value: character,
      escaped: false
    }
  }

  record (character) {
    this.recorded.push(character)
  }

  newEntry (includeEmpty) {
    var entry
    if (this.recorded.length > 0 || includeEmpty) {
      entry = this.recorded.join('')
      if (entry === 'NULL' && !includeEmpty) {
        entry = null
      }
      if (entry !== null) entry = this.transform(entry)
      this.entries.push(entry)
      this.recorded = []
    }
  }

  consumeDimensions () {
    if (this.source[0] === '[') {
      while (!this.isEof()) {
        var char = this.nextCharacter()
        if (char.value === '=') break
      }
    }
  }

  parse (nested) {
    var character, parser, quote
    this.consumeDimensions()
    while (!this.isEof()) {
      character = this.nextCharacter()
      if (character.value === '{' && !quote) {
        this.dimension++
        if (this.dimension > 1) {
          parser = new ArrayParser(this.source.substr(this.position - 1), this.transform)
          this.entries.push(parser.parse(true))
          this.position += parser.position - 2
        }
      } else if (character.value === '}' && !quote) {
        this.dimension--
        if (!this.dimension) {
          this.newEntry()
          if (nested) return this.entries
        }
      } else if (character.value === '"' && !character.escaped) {
        if (quote) this.newEntry(true)
        quote = !quote
      } else if (character.value === ',' && !quote) {
        this.newEntry()
      } else {
        this.record(character.value)
      }
    }
    if (this.dimension !== 0) {
      throw new Error('array dimension not balanced')
    }
    return this.entries
  }
}

function identity (value) {
  return value
}


/***/ }),

/***/ 463:
/***/ ((module) => {



var bufferFrom = Buffer.from || Buffer

module.exports = function parseBytea (input) {
  if (/^\\x/.test(input)) {
    // new 'hex' style response (pg >9.0)
    return bufferFrom(input.substr(2), 'hex')
  }
  var output = ''
  var i = 0
  while (i < input.length) {
    if (input[i] !== '\\') {
      output += input[i]
      ++i
    } else {
      if (/[0-7]{3}/.test(input.substr(i + 1, 3))) {
        output += String.fromCharCode(parseInt(input.substr(i + 1, 3), 8))
        i += 4
      } else {
        var backslashes = 1
        while (i + backslashes < input.length && input[i + backslashes] === '\\') {
          backslashes++
        }
        for (var k = 0; k < Math.floor(backslashes / 2); ++k) {
          output += '\\'
        }
        i += Math.floor(backslashes / 2) * 2
      }
    }
  }
  return bufferFrom(output, 'binary')
}


/***/ }),

/***/ 2690:
/***/ ((module) => {



var DATE_TIME = /(\d{1,})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d{1,})?.*?( BC)?$/
var DATE = /^(\d{1,})-(\d{2})-(\d{2})( BC)?$/
var TIME_ZONE = /([Z+-])(\d{2})?:?(\d{2})?:?(\d{2})?/
var INFINITY = /^-?infinity$/

module.exports = function parseDate (isoDate) {
  if (INFINITY.test(isoDate)) {
    // Capitalize to Infinity before passing to Number
    return Number(isoDate.replace('i', 'I'))
  }
  var matches = DATE_TIME.exec(isoDate)

  if (!matches) {
    // Force YYYY-MM-DD dates to be parsed as local time
    return getDate(isoDate) || null
  }

  var isBC = !!matches[8]
  var year = parseInt(matches[1], 10)
  if (isBC) {
    year = bcYearToNegativeYear(year)
  }

  var month = parseInt(matches[2], 10) - 1
  var day = matches[3]
  var hour = parseInt(matches[4], 10)
  var minute = parseInt(matches[5], 10)
  var second = parseInt(matches[6], 10)

  var ms = matches[7]
  ms = ms ? 1000 * parseFloat(ms) : 0

  var date
  var offset = timeZoneOffset(isoDate)
  if (offset != null) {
    date = new Date(Date.UTC(year, month, day, hour, minute, second, ms))

    // Account for years from 0 to 99 being interpreted as 1900-1999
    // by Date.UTC / the multi-argument form of the Date constructor
    if (is0To99(year)) {
      date.setUTCFullYear(year)
    }

    if (offset !== 0) {
      date.setTime(date.getTime() - offset)
    }
  } else {
    date = new Date(year, month, day, hour, minute, second, ms)

    if (is0To99(year)) {
      date.setFullYear(year)
    }
  }

  return date
}

function getDate (isoDate) {
  var matches = DATE.exec(isoDate)
  if (!matches) {
    return
  }

  var year = parseInt(matches[1], 10)
  var isBC = !!matches[4]
  if (isBC) {
    year = bcYearToNegativeYear(year)
  }

  var month = parseInt(matches[2], 10) - 1
  var day = matches[3]
  // YYYY-MM-DD will be parsed as local time
  var date = new Date(year, month, day)

  if (is0To99(year)) {
    date.setFullYear(year)
  }

  return date
}

// match timezones:
// Z (UTC)
// -05
// +06:30
function timeZoneOffset (isoDate) {
  if (isoDate.endsWith('+00')) {
    return 0
  }

  var zone = TIME_ZONE.exec(isoDate.split(' ')[1])
  if (!zone) return
  var type = zone[1]

  if (type === 'Z') {
    return 0
  }
  var sign = type === '-' ? -1 : 1
  var offset = parseInt(zone[2], 10) * 3600 +
    parseInt(zone[3] || 0, 10) * 60 +
    parseInt(zone[4] || 0, 10)

  return offset * sign * 1000
}

function bcYearToNegativeYear (year) {
  // Account for numerical difference between representations of BC years
  // See: https://github.com/bendrucker/postgres-date/issues/5
  return -(year - 1)
}

function is0To99 (num) {
  return num >= 0 && num < 100
}


/***/ }),

/***/ 8755:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



var extend = __nccwpck_require__(223)

module.exports = PostgresInterval

function PostgresInterval (raw) {
  if (!(this instanceof PostgresInterval)) {
    return new PostgresInterval(raw)
  }
  extend(this, parse(raw))
}
var properties = ['seconds', 'minutes', 'hours', 'days', 'months', 'years']
PostgresInterval.prototype.toPostgres = function () {
  var filtered = properties.filter(this.hasOwnProperty, this)

  // In addition to `properties`, we need to account for fractions of seconds.
  if (this.milliseconds && filtered.indexOf('seconds') < 0) {
    filtered.push('seconds')
  }

  if (filtered.length === 0) return '0'
  return filtered
    .map(function (property) {
      var value = this[property] || 0

      // Account for fractional part of seconds,
      // remove trailing zeroes.
      if (property === 'seconds' && this.milliseconds) {
        value = (value + this.milliseconds / 1000).toFixed(6).replace(/\.?0+$/, '')
      }

      return value + ' ' + property
    }, this)
    .join(' ')
}

var propertiesISOEquivalent = {
  years: 'Y',
  months: 'M',
  days: 'D',
  hours: 'H',
  minutes: 'M',
  seconds: 'S'
}
var dateProperties = ['years', 'months', 'days']
var timeProperties = ['hours', 'minutes', 'seconds']
// according to ISO 8601
PostgresInterval.prototype.toISOString = PostgresInterval.prototype.toISO = function () {
  var datePart = dateProperties
    .map(buildProperty, this)
    .join('')

  var timePart = timeProperties
    .map(buildProperty, this)
    .join('')

  return 'P' + datePart + 'T' + timePart

  function buildProperty (property) {
    var value = this[property] || 0

    // Account for fractional part of seconds,
    // remove trailing zeroes.
    if (property === 'seconds' && this.milliseconds) {
      value = (value + this.milliseconds / 1000).toFixed(6).replace(/0+$/, '')
    }

    return value + propertiesISOEquivalent[property]
  }
}

var NUMBER = '([+-]?\\d+)'
var YEAR = NUMBER + '\\s+years?'
var MONTH = NUMBER + '\\s+mons?'
var DAY = NUMBER + '\\s+days?'
var TIME = '([+-])?([\\d]*):(\\d\\d):(\\d\\d)\\.?(\\d{1,6})?'
var INTERVAL = new RegExp([YEAR, MONTH, DAY, TIME].map(function (regexString) {
  return '(' + regexString + ')?'
})
  .join('\\s*'))

// Positions of values in regex match
var positions = {
  years: 2,
  months: 4,
  days: 6,
  hours: 9,
  minutes: 10,
  seconds: 11,
  milliseconds: 12
}
// We can use negative time
var negatives = ['hours', 'minutes', 'seconds', 'milliseconds']

function parseMilliseconds (fraction) {
  // add omitted zeroes
  var microseconds = fraction + '000000'.slice(fraction.length)
  return parseInt(microseconds, 10) / 1000
}

function parse (interval) {
  if (!interval) return {}
  var matches = INTERVAL.exec(interval)
  var isNegative = matches[8] === '-'
  return Object.keys(positions)
    .reduce(function (parsed, property) {
      var position = positions[property]
      var value = matches[position]
      // no empty string
      if (!value) return parsed
      // milliseconds are actually microseconds (up to 6 digits)
      // with omitted trailing zeroes.
      value = property === 'milliseconds'
        ? parseMilliseconds(value)
        : parseInt(value, 10)
      // no zeros
      if (!value) return parsed
      if (isNegative && ~negatives.indexOf(property)) {
        value *= -1
      }
      parsed[property] = value
      return parsed
    }, {})
}


/***/ }),

/***/ 5286:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

/*
Copyright (c) 2014-2021, Matteo Collina <hello@matteocollina.com>

Permission to use, copy, modify, and/or distribute this software for any
purpose with or without fee is hereby granted, provided that the above
copyright notice and this permission notice appear in all copies.

THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF OR
IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
*/



const { Transform } = __nccwpck_require__(2203)
const { StringDecoder } = __nccwpck_require__(3193)
const kLast = Symbol('last')
const kDecoder = Symbol('decoder')

function transform (chunk, enc, cb) {
  let list
  if (this.overflow) { // Line buffer is full. Skip to start of next line.
    const buf = this[kDecoder].write(chunk)
    list = buf.split(this.matcher)

    if (list.length === 1) return cb() // Line ending not found. Discard entire chunk.

    // Line ending found. Discard trailing fragment of previous line and reset overflow state.
    list.shift()
    this.overflow = false
  } else {
    this[kLast] += this[kDecoder].write(chunk)
    list = this[kLast].split(this.matcher)
  }

  this[kLast] = list.pop()

  for (let i = 0; i < list.length; i++) {
    try {
      push(this, this.mapper(list[i]))
    } catch (error) {
      return cb(error)
    }
  }

  this.overflow = this[kLast].length > this.maxLength
  if (this.overflow && !this.skipOverflow) {
    cb(new Error('maximum buffer reached'))
    return
  }

  cb()
}

function flush (cb) {
  // forward any gibberish left in there
  this[kLast] += this[kDecoder].end()

  if (this[kLast]) {
    try {
      push(this, this.mapper(this[kLast]))
    } catch (error) {
      return cb(error)
    }
  }

  cb()
}

function push (self, val) {
  if (val !== undefined) {
    self.push(val)
  }
}

function noop (incoming) {
  return incoming
}

function split (matcher, mapper, options) {
  // Set defaults for any arguments not supplied.
  matcher = matcher || /\r?\n/
  mapper = mapper || noop
  options = options || {}

  // Test arguments explicitly.
  switch (arguments.length) {
    case 1:
      // If mapper is only argument.
      if (typeof matcher === 'function') {
        mapper = matcher
        matcher = /\r?\n/
      // If options is only argument.
      } else if (typeof matcher === 'object' && !(matcher instanceof RegExp) && !matcher[Symbol.split]) {
        options = matcher
        matcher = /\r?\n/
      }
      break

    case 2:
      // If mapper and options are arguments.
      if (typeof matcher === 'function') {
        options = mapper
        mapper = matcher
        matcher = /\r?\n/
      // If matcher and options are arguments.
      } else if (typeof mapper === 'object') {
        options = mapper
        mapper = noop
      }
  }

  options = Object.assign({}, options)
  options.autoDestroy = true
  options.transform = transform
  options.flush = flush
  options.readableObjectMode = true

  const stream = new Transform(options)

  stream[kLast] = ''
  stream[kDecoder] = new StringDecoder('utf8')
  stream.matcher = matcher
  stream.mapper = mapper
  stream.maxLength = options.maxLength
  stream.skipOverflow = options.skipOverflow || false
  stream.overflow = false
  stream._destroy = function (err, cb) {
    // Weird Node v12 bug that we need to work around
    this._writableState.errorEmitted = false
    cb(err)
  }

  return stream
}

module.exports = split


/***/ }),

/***/ 223:
/***/ ((module) => {

module.exports = extend

var hasOwnProperty = Object.prototype.hasOwnProperty;

function extend(target) {
    for (var i = 1; i < arguments.length; i++) {
        var source = arguments[i]

        for (var key in source) {
            if (hasOwnProperty.call(source, key)) {
                target[key] = source[key]
            }
        }
    }

    return target
}


/***/ }),

/***/ 4390:
/***/ ((module) => {

module.exports = eval("require")("pg-native");


/***/ }),

/***/ 2613:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("assert");

/***/ }),

/***/ 6982:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("crypto");

/***/ }),

/***/ 2250:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("dns");

/***/ }),

/***/ 4434:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("events");

/***/ }),

/***/ 9896:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("fs");

/***/ }),

/***/ 8611:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("http");

/***/ }),

/***/ 5692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("https");

/***/ }),

/***/ 9278:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("net");

/***/ }),

/***/ 4589:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:assert");

/***/ }),

/***/ 6698:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:async_hooks");

/***/ }),

/***/ 4573:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:buffer");

/***/ }),

/***/ 7540:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:console");

/***/ }),

/***/ 7598:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");

/***/ }),

/***/ 3053:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:diagnostics_channel");

/***/ }),

/***/ 610:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:dns");

/***/ }),

/***/ 8474:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:events");

/***/ }),

/***/ 3024:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");

/***/ }),

/***/ 7067:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http");

/***/ }),

/***/ 2467:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http2");

/***/ }),

/***/ 7030:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:net");

/***/ }),

/***/ 6760:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");

/***/ }),

/***/ 643:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:perf_hooks");

/***/ }),

/***/ 1792:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:querystring");

/***/ }),

/***/ 7075:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");

/***/ }),

/***/ 1692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:tls");

/***/ }),

/***/ 3136:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:url");

/***/ }),

/***/ 7975:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");

/***/ }),

/***/ 3429:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util/types");

/***/ }),

/***/ 5919:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:worker_threads");

/***/ }),

/***/ 8522:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");

/***/ }),

/***/ 857:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("os");

/***/ }),

/***/ 6928:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("path");

/***/ }),

/***/ 2203:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("stream");

/***/ }),

/***/ 3193:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("string_decoder");

/***/ }),

/***/ 4756:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("tls");

/***/ }),

/***/ 9023:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("util");

/***/ }),

/***/ 8253:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("util/types");

/***/ }),

/***/ 3794:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Cb: () => (/* binding */ sessionSettingsSql),
/* harmony export */   j9: () => (/* binding */ APPLICATION_NAME),
/* harmony export */   og: () => (/* binding */ serverVersionNum)
/* harmony export */ });
// The action's own session: its application_name and the settings restored after each migration's RESET ALL. Pure.
/** What the run is called in pg_stat_activity. */
const APPLICATION_NAME = 'agoat/migrate-action';
/**
 * Settings the action gives its own session, restored after each migration's RESET ALL (which
 * would bring back the database's or role's own values).
 *
 * `standard_conforming_strings = on`: the splitter that refuses `COMMIT` and finds where
 * statements end reads `'...'` as PostgreSQL does with this setting on (a backslash is an
 * ordinary character). A database configured `off` would read `'a\', '; commit; select '\''`
 * as a string, a COMMIT and another string, and commit half a migration; with the setting on,
 * the server reads every file as the splitter did.
 *
 * On 14+ the server checks during long statements that the runner is still there, so a vanished
 * runner does not keep its statement running and its lock held.
 */
function sessionSettingsSql(serverMajor) {
    const strings = 'SET standard_conforming_strings = on;';
    return serverMajor >= 14 ? `${strings}SET client_connection_check_interval = '2s';` : strings;
}
/**
 * server_version_num from server_version (`18.4` \u2192 180004, `13.23` \u2192 130023; a beta or a
 * distribution's suffix is ignored), without a round trip.
 */
function serverVersionNum(serverVersion) {
    const [major = 0, minor = 0] = (/^(\d+)(?:\.(\d+))?/.exec(serverVersion) ?? [])
        .slice(1)
        .map((part) => Number(part ?? 0));
    return major * 10000 + minor;
}


/***/ }),

/***/ 9563:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   B: () => (/* binding */ downTextWithFileLines),
/* harmony export */   z: () => (/* binding */ findDownSection)
/* harmony export */ });
/* harmony import */ var _sql_lines_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(8439);
// A file's `-- migrate:down` section: where its up part ends and its down SQL starts. Pure: text in, positions out.

/** The marker line: exactly `-- migrate:down` (trailing blanks forgiven, as an editor leaves them). */
const DOWN_MARKER = /^-- migrate:down[ \t]*$/m;
/**
 * Finds the first `-- migrate:down` line. Everything before it is the up part (what `migrate`
 * runs and the checksum covers); everything after it is the down SQL, run only by `rollback`.
 * A file without the line is all up part, so its checksum is the one it always had.
 */
function findDownSection(text) {
    const match = DOWN_MARKER.exec(text);
    if (!match)
        return undefined;
    const markerEnd = match.index + match[0].length;
    const downStart = text[markerEnd] === '\n' ? markerEnd + 1 : markerEnd;
    return { upEnd: match.index, downStart, line: (0,_sql_lines_js__WEBPACK_IMPORTED_MODULE_0__/* .lineAt */ .mh)(text, match.index) + 1 };
}
/**
 * The down SQL with a blank line for each line of the file before it, so that anything that
 * reads it (the directives, the parser, a server error position) counts the file's own lines.
 */
function downTextWithFileLines(down, line) {
    return '\n'.repeat(line - 1) + down;
}


/***/ }),

/***/ 3522:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   BH: () => (/* binding */ hasBom),
/* harmony export */   Eq: () => (/* binding */ DIRECTIVE),
/* harmony export */   SQ: () => (/* binding */ ContentScanner),
/* harmony export */   px: () => (/* binding */ incompleteTail)
/* harmony export */ });
/* harmony import */ var node_buffer__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(4573);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(7598);
// One streaming pass over a file's bytes: checksum, UTF-8 validity, size, a hint of directives. Pure: bytes in, facts out.


const CR = 0x0d;
const LF = 0x0a;
/** The bytes whose presence means a file may hold a directive and must be read as text. */
const DIRECTIVE = Buffer.from('migrate:');
const EMPTY = Buffer.alloc(0);
/** Bytes at the end of `chunk` that may start a UTF-8 sequence finished by the next chunk. */
function incompleteTail(chunk) {
    for (let back = 1; back <= Math.min(3, chunk.length); back++) {
        const byte = chunk[chunk.length - back] ?? 0;
        if ((byte & 0xc0) === 0x80)
            continue; // a continuation byte: look further back
        const needs = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
        return needs > back ? back : 0;
    }
    return 0;
}
/**
 * The checksum of a migration, computed over its bytes in one streaming pass, without decoding
 * them to text and without holding the file: the BOM is skipped and CRLF hashed as LF, as the
 * checksum's definition says, so a Windows checkout is not drift. The chunks may split anywhere.
 */
class ContentScanner {
    hash = (0,node_crypto__WEBPACK_IMPORTED_MODULE_1__.createHash)('sha256');
    carry = EMPTY;
    started = false;
    utf8 = true;
    mentionsDirective = false;
    size = 0;
    // The last bytes of the previous chunk, to find `migrate:` across the seam of two chunks.
    tail = Buffer.alloc(DIRECTIVE.length - 1);
    tailLength = 0;
    update(bytes) {
        this.size += bytes.length;
        let chunk = this.carry.length > 0 ? Buffer.concat([this.carry, bytes]) : bytes;
        if (!this.started) {
            if (chunk.length < 3) {
                this.carry = Buffer.from(chunk);
                return;
            }
            this.started = true;
            if (hasBom(chunk))
                chunk = chunk.subarray(3);
        }
        // Hold back what the next chunk may complete: a CR (of a CRLF) or a split UTF-8 sequence.
        let keep = incompleteTail(chunk);
        if (keep === 0 && chunk[chunk.length - 1] === CR)
            keep = 1;
        const body = keep > 0 ? chunk.subarray(0, chunk.length - keep) : chunk;
        this.carry = keep > 0 ? Buffer.from(chunk.subarray(chunk.length - keep)) : EMPTY;
        this.consume(body);
    }
    consume(body) {
        if (this.utf8 && !(0,node_buffer__WEBPACK_IMPORTED_MODULE_0__.isUtf8)(body))
            this.utf8 = false;
        if (!this.mentionsDirective) {
            this.mentionsDirective = body.includes(DIRECTIVE) || this.seamHasDirective(body);
            const from = Math.max(0, body.length - this.tail.length);
            this.tailLength = body.copy(this.tail, 0, from);
        }
        let start = 0;
        for (let cr = body.indexOf(CR); cr !== -1; cr = body.indexOf(CR, cr + 1)) {
            if (body[cr + 1] !== LF)
                continue;
            this.hash.update(body.subarray(start, cr));
            start = cr + 1;
        }
        this.hash.update(start === 0 ? body : body.subarray(start));
    }
    /** `migrate:` straddling the previous chunk and this one (a file read in several pieces). */
    seamHasDirective(body) {
        if (this.tailLength === 0)
            return false;
        const seam = Buffer.concat([
            this.tail.subarray(0, this.tailLength),
            body.subarray(0, DIRECTIVE.length - 1),
        ]);
        return seam.includes(DIRECTIVE);
    }
    finish() {
        // What is left is a file shorter than a BOM, a final CR, or an unfinished UTF-8 sequence
        // (which isUtf8 then rejects).
        if (this.carry.length > 0)
            this.consume(this.carry);
        return {
            checksum: this.hash.digest('hex'),
            utf8: this.utf8,
            size: this.size,
            mentionsDirective: this.mentionsDirective,
        };
    }
}
function hasBom(bytes) {
    return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}


/***/ }),

/***/ 2783:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Ew: () => (/* binding */ lineAtIndex),
/* harmony export */   GX: () => (/* binding */ statementsOf),
/* harmony export */   HZ: () => (/* binding */ statementPieces),
/* harmony export */   fW: () => (/* binding */ LARGE_FILE),
/* harmony export */   qP: () => (/* binding */ TextWindow),
/* harmony export */   sV: () => (/* binding */ isLarge),
/* harmony export */   w7: () => (/* binding */ textChunks)
/* harmony export */ });
/* harmony import */ var node_buffer__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(4573);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(3024);
/* harmony import */ var _sql_lines_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(8439);
/* harmony import */ var _sql_splitter_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(773);
/* harmony import */ var _scan_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(3522);
// A file's text as a stream: decoded chunks and statement-aligned pieces, for files too large to hold.





/** Files above this size are streamed: never held whole, sent to the server in pieces. */
const LARGE_FILE = 4 * 1024 * 1024;
/** The size of the statement-aligned pieces a large file is sent in. */
const PIECE = 64 * 1024;
/**
 * The size of each read. V8 makes strings of up to 64 KiB more than ten times faster than larger
 * ones (measured with Buffer#toString: 5.8 GB/s at 64 KiB, 0.26 GB/s at 256 KiB).
 */
const READ = 64 * 1024;
/**
 * A file's text in chunks, as the action runs it: UTF-8 decoded as it streams, the BOM dropped,
 * CRLF turned into LF (also when a CR ends one chunk and its LF starts the next).
 */
async function* textChunks(filePath, size = READ) {
    // Synchronous reads: a 64 KiB read from the page cache takes microseconds, far less than a
    // trip through the thread pool; the event loop still runs between the pieces sent.
    const fd = (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.openSync)(filePath, 'r');
    const buffer = Buffer.allocUnsafe(size + 4);
    let carried = 0; // bytes of an unfinished UTF-8 sequence, moved to the buffer's start
    let first = true;
    let carryCR = false;
    try {
        for (;;) {
            const bytesRead = (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.readSync)(fd, buffer, carried, size, null);
            const end = carried + bytesRead;
            const keep = bytesRead === 0 ? 0 : (0,_scan_js__WEBPACK_IMPORTED_MODULE_3__/* .incompleteTail */ .px)(buffer.subarray(0, end));
            let body = buffer.subarray(0, end - keep);
            if (first && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf)
                body = body.subarray(3);
            first = false;
            // The file was checked to be UTF-8 when it was read for its checksum; an ASCII chunk (the
            // bulk of a data migration) decodes several times faster as Latin-1, to the same text.
            let text = (0,node_buffer__WEBPACK_IMPORTED_MODULE_0__.isAscii)(body) ? body.toString('latin1') : body.toString('utf8');
            if (carryCR)
                text = `\r${text}`;
            carryCR = bytesRead > 0 && text.endsWith('\r');
            if (carryCR)
                text = text.slice(0, -1);
            if (text)
                yield text.includes('\r') ? text.replaceAll('\r\n', '\n') : text;
            if (bytesRead === 0)
                break;
            buffer.copy(buffer, 0, end - keep, end);
            carried = keep;
        }
    }
    finally {
        (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.closeSync)(fd);
    }
}
/**
 * A large file as pieces of about 64 KiB that end where statements end, so that each can be sent
 * as one simple-query message inside the migration's one transaction: the file is never held
 * whole, and each round trip carries many statements.
 */
async function* statementPieces(filePath) {
    const splitter = new _sql_splitter_js__WEBPACK_IMPORTED_MODULE_2__/* .StatementSplitter */ .V();
    let pending = '';
    let start = 0; // index of pending[0] in the whole text
    for await (const chunk of textChunks(filePath)) {
        pending += chunk;
        const last = splitter.push(chunk).at(-1);
        if (last && last.end - start >= PIECE) {
            const text = pending.slice(0, last.end - start);
            yield { text, start };
            pending = pending.slice(text.length);
            start = last.end;
        }
    }
    splitter.end();
    if (pending.trim())
        yield { text: pending, start };
}
/**
 * A file's top-level statements, split by the streaming splitter as the file is read, for a
 * `no-transaction` file too large for PostgreSQL's parser: only the statement in progress is held.
 * Each text runs from the statement's first token to its `;` (or the end of the file).
 */
async function* statementsOf(filePath) {
    const splitter = new _sql_splitter_js__WEBPACK_IMPORTED_MODULE_2__/* .StatementSplitter */ .V();
    const window = new TextWindow();
    const cut = function* (statements) {
        for (const s of statements) {
            yield { text: window.slice(s.start, s.end), offset: s.start, line: s.line };
        }
        const last = statements.at(-1);
        if (last)
            window.dropBefore(last.end);
    };
    for await (const chunk of textChunks(filePath)) {
        window.push(chunk);
        yield* cut(splitter.push(chunk));
    }
    yield* cut(splitter.end());
}
/**
 * The chunks of a streamed text from some index on, kept as they came: a slice within one chunk
 * copies nothing, and dropping what is done frees whole chunks. (Appending to one string and
 * cutting it after each chunk copies the whole file again, and the garbage it leaves costs tens of
 * MB of memory on a 50 MB file.)
 */
class TextWindow {
    chunks = [];
    starts = [];
    /** Index (over the whole text) just past the last chunk pushed. */
    end = 0;
    push(chunk) {
        this.chunks.push(chunk);
        this.starts.push(this.end);
        this.end += chunk.length;
    }
    /** Index of the first character kept. */
    get start() {
        return this.starts[0] ?? this.end;
    }
    /** The text from `from` to `to`; both must be kept (from >= start). */
    slice(from, to) {
        let i = 0;
        while (i + 1 < this.chunks.length && this.starts[i + 1] <= from)
            i++;
        let text = '';
        for (; i < this.chunks.length && this.starts[i] < to; i++) {
            const begin = this.starts[i];
            const chunk = this.chunks[i];
            text += chunk.slice(Math.max(0, from - begin), Math.min(chunk.length, to - begin));
        }
        return text;
    }
    /** Forgets the chunks that end at or before `index`. */
    dropBefore(index) {
        let n = 0;
        while (n < this.chunks.length &&
            this.starts[n] + this.chunks[n].length <= index)
            n++;
        if (n > 0) {
            this.chunks.splice(0, n);
            this.starts.splice(0, n);
        }
    }
    /** Forgets everything kept. */
    clear() {
        this.chunks = [];
        this.starts = [];
    }
    /** Characters kept. */
    get length() {
        return this.end - this.start;
    }
}
/** The 1-based line of the file at an index into its text (see lineAtInChunks). */
function lineAtIndex(filePath, index) {
    return (0,_sql_lines_js__WEBPACK_IMPORTED_MODULE_4__/* .lineAtInChunks */ .$Y)(textChunks(filePath), index);
}
/** Whether a migration is streamed in pieces rather than held whole (a cut file is held). */
function isLarge(migration) {
    return !migration.held && (migration.size ?? 0) > LARGE_FILE;
}


/***/ }),

/***/ 3452:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   C: () => (/* binding */ quoteIdentifier),
/* harmony export */   O: () => (/* binding */ qualifiedName)
/* harmony export */ });
// The tracking table's identity and row shape. Types and names only.
/** `"name"`, with any `"` doubled: a `schemas-query` schema may hold any character. */
function quoteIdentifier(name) {
    return `"${name.replaceAll('"', '""')}"`;
}
/** `"schema"."table"`, each name quoted as an identifier. */
function qualifiedName({ schema, table }) {
    return `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;
}


/***/ }),

/***/ 5691:
/***/ ((__webpack_module__, __unused_webpack___webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(__webpack_module__, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony import */ var _main_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(932);
// The entry point that dist/index.js runs.

await (0,_main_js__WEBPACK_IMPORTED_MODULE_0__/* .run */ .e)();
// Exit now rather than when the event loop drains: after the SQL parser (WebAssembly) has been
// used, a natural exit waits for V8's background work on it (see importParser in sql.ts).
process.exit();

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ }),

/***/ 932:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  e: () => (/* binding */ run)
});

;// CONCATENATED MODULE: ./lib/errors.js
// The error that carries a one-sentence explanation, and the message of anything thrown.
/**
 * A failure the action explains in one sentence that names the problem and says what to do: a
 * mistake in what the user gave it (an input, the URL, the folder) or a state of the database it
 * will not work with (a tracking table that does not fit, a pooler, a lock held too long). Nothing
 * has been written when it is thrown.
 */
class ConfigurationError extends Error {
    name = 'ConfigurationError';
}
/**
 * The message of anything thrown, also of throws that are not `Error`s: a WebAssembly abort or a
 * library can throw a plain object, whose String() is `[object Object]`.
 */
function messageOf(error) {
    if (error instanceof Error && error.message)
        return error.message;
    const message = error?.message;
    if (typeof message === 'string' && message)
        return message;
    if (typeof error === 'string' && error)
        return error;
    let shown;
    try {
        shown = JSON.stringify(error) ?? String(error);
    }
    catch {
        shown = Object.prototype.toString.call(error);
    }
    if (shown.length > 200)
        shown = `${shown.slice(0, 200)}\u2026`;
    return `The action stopped on an unexpected error (${error instanceof Error ? error.name : typeof error} ${shown}): please report it at https://github.com/agoat/migrate-action/issues with this log.`;
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(7598);
;// CONCATENATED MODULE: ./lib/files/layouts/model.js
// The shared shapes of the layout readers: what a folder listing, a migration of another tool and
// a file's sections look like. Types and tiny pure helpers only; nothing here reads files.
const LAYOUT_IDS = [
    'plain',
    'golang-migrate',
    'dbmate',
    'goose',
    'flyway',
    'prisma',
    'diesel',
    'popx',
];
/** The last part of a `/` separated path. */
function baseName(path) {
    const slash = path.lastIndexOf('/');
    return slash < 0 ? path : path.slice(slash + 1);
}
/** A run of ASCII digits as a canonical decimal: leading zeros dropped, `0` kept. */
function canonicalDigits(digits) {
    let start = 0;
    while (start < digits.length - 1 && digits.charCodeAt(start) === 48)
        start++;
    return digits.slice(start);
}
/** Compares canonical decimals exactly, without converting: longer is larger, else by text. */
function compareDecimals(a, b) {
    if (a.length !== b.length)
        return a.length < b.length ? -1 : 1;
    return a < b ? -1 : a > b ? 1 : 0;
}
/** 18446744073709551615, the largest unsigned 64-bit number (golang-migrate's `uint`). */
const MAX_UINT64 = '18446744073709551615';
/** 9223372036854775807, the largest signed 64-bit number (goose's `int64`, PostgreSQL's bigint). */
const MAX_INT64 = '9223372036854775807';

;// CONCATENATED MODULE: ./lib/files/layouts/order.js
// Each tool's order and identity of versions, on canonical keys; and the last step every reader
// shares: sort, refuse duplicates, warn where the tool's own order differs. Pure.

const TOOL_NAMES = {
    plain: 'the action',
    'golang-migrate': 'golang-migrate',
    dbmate: 'dbmate',
    goose: 'goose',
    flyway: 'Flyway',
    prisma: 'Prisma',
    diesel: 'diesel',
    popx: 'popx',
};
function toolName(layout) {
    return TOOL_NAMES[layout];
}
/**
 * Orders two keys of one layout as its tool does. Flyway: part by part as numbers, a missing part
 * counting as 0 (`1.7` < `1.27` < `2.0.3`). diesel: as text (its versions are strings without
 * dashes, so `20240301000000` sorts after `202402121202030000`). The others: as whole numbers,
 * exactly, however long.
 */
function compareKeys(layout, a, b) {
    if (layout === 'diesel')
        return a < b ? -1 : a > b ? 1 : 0;
    if (layout !== 'flyway')
        return compareDecimals(a, b);
    if (a === b)
        return 0;
    const partsA = a.split('.');
    const partsB = b.split('.');
    const count = Math.max(partsA.length, partsB.length);
    for (let i = 0; i < count; i++) {
        const compared = compareDecimals(partsA[i] ?? '0', partsB[i] ?? '0');
        if (compared !== 0)
            return compared;
    }
    return 0;
}
/**
 * A string whose code-unit order is `compareKeys` order: each number prefixed by its length (a
 * longer canonical number is larger), Flyway's parts one after another (a key that is a prefix of
 * another has fewer parts, and the other's extra parts are not all zero, so it is smaller).
 */
function sortable(layout, key) {
    if (layout === 'diesel')
        return key;
    if (layout !== 'flyway')
        return String.fromCharCode(key.length) + key;
    let order = '';
    for (const part of key.split('.'))
        order += String.fromCharCode(part.length) + part;
    return order;
}
/**
 * Sorts the migrations in the tool's order, turns two migrations with one key into an error, and,
 * for tools that apply files in the text order of a name (`toolOrderText`), warns where that order
 * differs from the numeric order the action keeps (`10_b.sql` sorts before `9_a.sql` as text).
 */
function finishReading(layout, migrations, reading, toolOrderText) {
    // One sortable string per migration, compared with `<`: sorting then costs no splitting or
    // number parsing inside the comparator (1,000 Flyway files sort in a fraction of a millisecond).
    const sorted = migrations
        .map((migration) => ({ migration, order: sortable(layout, migration.key) }))
        .sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0))
        .map((entry) => entry.migration);
    const unique = [];
    let disagreements = 0;
    let firstDisagreement = '';
    for (const migration of sorted) {
        const previous = unique[unique.length - 1];
        if (previous !== undefined && previous.key === migration.key) {
            reading.errors.push(`${previous.name} and ${migration.name} have the same version ${migration.label} for ` +
                `${toolName(layout)}; keep one of them.`);
            continue;
        }
        if (previous !== undefined && toolOrderText !== undefined) {
            const before = toolOrderText(previous);
            const after = toolOrderText(migration);
            if (before > after) {
                disagreements++;
                if (firstDisagreement === '')
                    firstDisagreement = `${after} before ${before}`;
            }
        }
        unique.push(migration);
    }
    if (disagreements > 0) {
        reading.warnings.push(`${toolName(layout)} applies migrations in the text order of their names, which puts ` +
            `${firstDisagreement}${disagreements > 1 ? ` (and ${disagreements - 1} more)` : ''}; the action ` +
            'applies them in numeric order of their versions.');
    }
    return { migrations: unique, ...reading };
}

;// CONCATENATED MODULE: ./lib/files/layouts/common.js
// Small pieces the layout readers share: an empty reading, Go migrations, folder-per-migration
// listings. Pure.


function emptyReading() {
    return { errors: [], warnings: [], skipped: [] };
}
/** A Go migration file name as goose writes it (`00002_rename_root.go`); `_test.go` is not one. */
const GO_MIGRATION = /^\d+_.*\.go$/;
function isGoMigration(name) {
    return GO_MIGRATION.test(name) && !name.endsWith('_test.go');
}
/**
 * A migration written in Go cannot run here: an error naming it, or, with `skipGo`, a skipped
 * file (never a silent one), so the team decides what the versions it holds mean.
 */
function refuseGo(layout, path, options, reading) {
    if (options.skipGo === true) {
        reading.skipped.push({
            path,
            reason: `a ${toolName(layout)} migration written in Go, left out because skip-go-migrations is true`,
        });
        return;
    }
    reading.errors.push(`${path} is a ${toolName(layout)} migration written in Go, which the action cannot run; ` +
        'rewrite it in SQL, or set skip-go-migrations: true to leave Go migrations out.');
}
/** Each top-level folder with the names of the files in it; top-level `.sql` files skipped. */
function foldersOf(entries, reading) {
    const folders = new Map();
    for (const entry of entries) {
        const slash = entry.path.indexOf('/');
        if (slash < 0) {
            if (entry.isDirectory)
                folders.set(entry.path, folders.get(entry.path) ?? new Set());
            else if (entry.path.endsWith('.sql')) {
                reading.skipped.push({ path: entry.path, reason: 'a file outside any migration folder' });
            }
            continue;
        }
        if (entry.isDirectory)
            continue;
        const folder = entry.path.slice(0, slash);
        const files = folders.get(folder) ?? new Set();
        files.add(baseName(entry.path));
        folders.set(folder, files);
    }
    return folders;
}

;// CONCATENATED MODULE: ./lib/files/layouts/text.js
// Walks a file's text line by line with offsets, for the section parsers. Pure.
/**
 * Calls `visit` for each line of `text`: the line without its `\n` (and without a `\r` before it,
 * so CRLF files read alike), its 1-based number, the offset where it starts and the offset where
 * the next line starts. A final line without `\n` is visited too; an empty text has one line.
 */
function forEachLine(text, visit) {
    let start = 0;
    let number = 1;
    while (true) {
        const newline = text.indexOf('\n', start);
        const end = newline < 0 ? text.length : newline;
        const line = text.charCodeAt(end - 1) === 13 && end > start
            ? text.slice(start, end - 1)
            : text.slice(start, end);
        const next = newline < 0 ? text.length : newline + 1;
        visit(line, number, start, next);
        if (newline < 0)
            return;
        start = next;
        number++;
    }
}

;// CONCATENATED MODULE: ./lib/files/layouts/dbmate.js
// dbmate's folder (`<version>...sql` files) and its sections (`-- migrate:up` / `-- migrate:down`
// with options such as `transaction:false`), read as dbmate's migration.go reads them. Pure.




/** dbmate's migrationFileRegexp: `^(\d+).*\.sql$` (no `_` needed: `20240212120203.sql` is one). */
const DBMATE_NAME = /^(\d+).*\.sql$/;
/** dbmate's upRegExp and downRegExp, on one line: the marker, then whitespace or the line's end. */
const UP_MARKER = /^--\s*migrate:up(?:\s|$)/;
const DOWN_MARKER = /^--\s*migrate:down(?:\s|$)/;
const MARKER_PREFIX = /^--\s*migrate:(?:up|down)/;
const BLANK_OR_COMMENT = /^\s*(?:--|$)/;
/**
 * The migrations of a dbmate folder. dbmate's version is the leading digits as text and it
 * applies files in name order; the action keeps them as numbers (`001_a.sql` and `1_b.sql` become
 * one version, an error) and warns where the two orders differ. Each file's text is cut with
 * `dbmateSections`. Sub-folders are not read.
 */
function readDbmate(entries) {
    const reading = emptyReading();
    const migrations = [];
    for (const entry of entries) {
        if (entry.isDirectory || entry.path.includes('/'))
            continue;
        const name = entry.path;
        const match = DBMATE_NAME.exec(name);
        if (match === null) {
            if (name.endsWith('.sql')) {
                reading.errors.push(`${name} is not a dbmate migration name: it must start with digits.`);
            }
            continue;
        }
        const version = match[1] ?? '';
        migrations.push({
            layout: 'dbmate',
            label: version,
            key: canonicalDigits(version),
            name,
            upFile: name,
            sections: dbmateSections,
            noTransaction: false,
        });
    }
    return finishReading('dbmate', migrations, reading, (migration) => migration.name);
}
/** The options after a marker (`transaction:false foo:bar`), each a `key:value` pair as dbmate. */
function markerOptions(line) {
    const options = new Map();
    const rest = line.replace(MARKER_PREFIX, '').trim();
    if (rest === '')
        return options;
    for (const pair of rest.split(/\s+/)) {
        const parts = pair.split(':');
        if (parts.length === 2)
            options.set(parts[0] ?? '', parts[1] ?? '');
    }
    return options;
}
/**
 * Cuts a dbmate file into its up and down parts. As dbmate: the up marker is required and comes
 * first, only blank and comment lines may precede it, the down marker is required (dbmate refuses
 * a file without one), and `transaction:false` on a marker runs that part outside a transaction.
 * dbmate's several up/down pairs in one file are refused: the action keeps one of each per file.
 */
function dbmateSections(text) {
    const errors = [];
    let up;
    let down;
    let statementBeforeUp = 0;
    forEachLine(text, (line, number, start, next) => {
        if (up === undefined && statementBeforeUp === 0 && !BLANK_OR_COMMENT.test(line)) {
            statementBeforeUp = number;
        }
        if (!line.startsWith('--'))
            return;
        if (UP_MARKER.test(line)) {
            if (up !== undefined) {
                errors.push({
                    line: number,
                    message: 'A second `-- migrate:up` section: the action reads one up and one down section per ' +
                        'file; move this section into a migration of its own.',
                });
            }
            else
                up = { line: number, options: markerOptions(line) };
        }
        else if (DOWN_MARKER.test(line)) {
            if (up === undefined) {
                errors.push({
                    line: number,
                    message: '`-- migrate:down` comes before `-- migrate:up`; dbmate needs up first.',
                });
            }
            else if (down !== undefined) {
                errors.push({
                    line: number,
                    message: 'A second `-- migrate:down` line; a file has one down section.',
                });
            }
            else
                down = { line: number, start, next, options: markerOptions(line) };
        }
    });
    if (up === undefined) {
        errors.push({ line: 1, message: 'No `-- migrate:up` line; dbmate requires one.' });
    }
    else if (statementBeforeUp !== 0) {
        errors.push({
            line: statementBeforeUp,
            message: 'A statement before `-- migrate:up`; dbmate allows only comments there.',
        });
    }
    if (down === undefined && up !== undefined) {
        errors.push({
            line: up.line,
            message: 'No `-- migrate:down` line; dbmate requires one (it may be followed by nothing).',
        });
    }
    const upEnd = down?.start ?? text.length;
    return {
        up: { text: text.slice(0, upEnd), line: 1, offset: 0 },
        ...(down === undefined
            ? {}
            : { down: { text: text.slice(down.next), line: down.line + 1, offset: down.next } }),
        noTransaction: up?.options.get('transaction') === 'false',
        downNoTransaction: down?.options.get('transaction') === 'false',
        explicitStatements: { up: [], down: [] },
        errors,
    };
}

;// CONCATENATED MODULE: ./lib/files/layouts/diesel.js
// diesel's folder: `<version>_<name>/up.sql`, `down.sql`, `metadata.toml`, one folder per
// migration. Pure; reads names only.


/** diesel's version text (version_from_string): the name up to the first `_`, digits and dashes. */
const DIESEL_VERSION = /^[0-9][0-9-]*$/;
/**
 * The migrations of a diesel folder: each sub-folder holds `up.sql`, optionally `down.sql` and
 * `metadata.toml` (the settings file: `run_in_transaction = false`). The version is the name up
 * to the first `_` (`2024-02-12-120203-0000`); diesel compares it as text without the dashes, and
 * so does the key. Every sub-folder is a migration for diesel, so one without `up.sql` is an error.
 */
function readDiesel(entries) {
    const reading = emptyReading();
    const migrations = [];
    for (const [folder, files] of foldersOf(entries, reading)) {
        const label = folder.split('_', 1)[0] ?? '';
        if (!DIESEL_VERSION.test(label)) {
            reading.errors.push(`${folder} is not a diesel migration folder name: <version>_<name>, the version digits ` +
                'and dashes, e.g. 2024-02-12-120203_create_users.');
            continue;
        }
        if (!files.has('up.sql')) {
            reading.errors.push(`${folder} has no up.sql, which diesel needs in every folder.`);
            continue;
        }
        migrations.push({
            layout: 'diesel',
            label,
            key: label.replaceAll('-', ''),
            name: folder,
            upFile: `${folder}/up.sql`,
            ...(files.has('down.sql') ? { downFile: `${folder}/down.sql` } : {}),
            ...(files.has('metadata.toml') ? { settingsFile: `${folder}/metadata.toml` } : {}),
            noTransaction: false,
        });
    }
    return finishReading('diesel', migrations, reading);
}

;// CONCATENATED MODULE: ./lib/files/layouts/flyway.js
// Flyway's folder: `V<version>__<description>.sql` with versions of `.` or `_` separated parts,
// compared as Flyway's MigrationVersion compares them; `U` undo files as down SQL; `.sql.conf`
// script configuration. Repeatable (`R__`) and baseline (`B`) migrations are refused. Pure.



/** Flyway's version: digits, parts separated by `.` or `_` (`_` is read as `.`). */
const FLYWAY_VERSION = /^\d+(?:[._]\d+)*$/;
/**
 * A name Flyway would treat as a migration of some kind: a prefix letter, then `__` somewhere, then
 * `.sql` (by hand: the regular expression `^[VUBR].*__.*\.sql$` backtracks over every name).
 */
function isFlywayName(name) {
    const prefix = name.charCodeAt(0);
    // V, U, B, R
    if (prefix !== 86 && prefix !== 85 && prefix !== 66 && prefix !== 82)
        return false;
    const separator = name.indexOf('__', 1);
    return separator > 0 && name.endsWith('.sql') && separator + 2 <= name.length - 4;
}
/**
 * Flyway's identity of a version: each part as a number (`07` is 7), trailing zero parts dropped
 * (MigrationVersion.tokenize), so `1.0` is `1` and `1.07` is `1.7`; undefined when not a version.
 */
function flywayKey(version) {
    if (!FLYWAY_VERSION.test(version))
        return undefined;
    // The common case, one part without leading zeros, needs no splitting.
    if (version.charCodeAt(0) !== 48 && !version.includes('.') && !version.includes('_')) {
        return version;
    }
    const parts = version.split(/[._]/).map(canonicalDigits);
    while (parts.length > 1 && parts[parts.length - 1] === '0')
        parts.pop();
    return parts.join('.');
}
/** The prefix and version of a Flyway file name (`V1_1__add.sql` \u2192 V, `1_1`), if it is one. */
function parseFlywayName(name) {
    if (!isFlywayName(name))
        return undefined;
    const separator = name.indexOf('__', 1);
    return { prefix: name[0], version: name.slice(1, separator) };
}
/**
 * The migrations of a Flyway folder, its files and those one folder down (Flyway reads its
 * locations recursively; deeper folders are not read here). Flyway's default prefixes and `__`
 * separator only. A `U` file is the down SQL of the `V` file of the same version; a
 * `<file>.sql.conf` is that migration's settings file (`executeInTransaction=false`).
 */
function readFlyway(entries) {
    const reading = emptyReading();
    const migrations = [];
    const undo = new Map();
    const settings = [];
    for (const entry of entries) {
        if (entry.isDirectory || entry.path.indexOf('/') !== entry.path.lastIndexOf('/'))
            continue;
        const name = baseName(entry.path);
        if (name.endsWith('.sql.conf')) {
            settings.push(entry.path);
            continue;
        }
        if (name === 'flyway.conf' || name === 'flyway.toml') {
            reading.warnings.push(`${entry.path} is not read: settings there (prefixes, placeholders, ` +
                'executeInTransaction) do not apply to the action.');
            continue;
        }
        if (!name.endsWith('.sql'))
            continue;
        const parsed = parseFlywayName(name);
        if (parsed?.prefix === 'R' && parsed.version === '') {
            reading.errors.push(`${entry.path} is a Flyway repeatable migration (R__), which the action does not run ` +
                'yet; make it a versioned V file or move it out of the folder.');
            continue;
        }
        const key = parsed === undefined ? undefined : flywayKey(parsed.version);
        if (parsed === undefined || key === undefined || parsed.prefix === 'R') {
            // Flyway ignores other files; the action refuses them at the top, where a typo hides.
            if (entry.path.includes('/'))
                continue;
            reading.errors.push(`${entry.path} is not a Flyway migration name: V<version>__<description>.sql, the ` +
                'version digits separated by . or _.');
            continue;
        }
        if (parsed.prefix === 'B') {
            reading.errors.push(`${entry.path} is a Flyway baseline migration (B prefix), which the action does not ` +
                'read; keep the versioned files it replaces, or move it out of the folder.');
            continue;
        }
        if (parsed.prefix === 'U') {
            const existing = undo.get(key);
            if (existing !== undefined) {
                reading.errors.push(`${existing} and ${entry.path} both undo version ${key}; keep one.`);
            }
            else
                undo.set(key, entry.path);
            continue;
        }
        migrations.push({
            layout: 'flyway',
            label: parsed.version.replaceAll('_', '.'),
            key,
            name,
            upFile: entry.path,
            noTransaction: false,
        });
    }
    if (undo.size > 0 || settings.length > 0)
        attachCompanions(migrations, undo, settings, reading);
    return finishReading('flyway', migrations, reading);
}
/** Undo files become down files and `.sql.conf` files settings files of their V migration. */
function attachCompanions(migrations, undo, settings, reading) {
    const byKey = new Map(migrations.map((migration) => [migration.key, migration]));
    for (const [key, path] of undo) {
        const migration = byKey.get(key);
        if (migration === undefined) {
            reading.errors.push(`${path} undoes version ${key}, which has no V file.`);
        }
        else
            migration.downFile = path;
    }
    const byFile = new Map(migrations.map((migration) => [migration.upFile, migration]));
    for (const path of settings) {
        const migration = byFile.get(path.slice(0, -'.conf'.length));
        if (migration === undefined) {
            reading.warnings.push(`${path} is not read: it configures no versioned migration here.`);
        }
        else
            migration.settingsFile = path;
    }
}

;// CONCATENATED MODULE: ./lib/files/layouts/golang-migrate.js
// golang-migrate's folder: `<version>_<title>.up.sql` and `.down.sql` pairs, read from the names
// as golang-migrate's source.Parse reads them. Pure; reads no file.



const LEADING_VERSION = /^[0-9]+_/;
/**
 * A name read as golang-migrate's source.Regex `^([0-9]+)_(.*)\.(down|up)\.(.*)$` reads it: the
 * greedy title makes the last `.up.` or `.down.` the direction. Written out by hand because that
 * regular expression backtracks over every name (quadratic in its length).
 */
function parseUpDownName(name) {
    const versionMatch = LEADING_VERSION.exec(name);
    if (versionMatch === null)
        return undefined;
    const titleStart = versionMatch[0].length;
    const up = name.lastIndexOf('.up.');
    const down = name.lastIndexOf('.down.');
    const at = Math.max(up, down);
    if (at < titleStart)
        return undefined;
    const direction = at === up ? 'up' : 'down';
    return {
        version: name.slice(0, titleStart - 1),
        title: name.slice(titleStart, at),
        direction,
        extension: name.slice(at + direction.length + 2),
    };
}
/**
 * The migrations of a golang-migrate folder. Identity and order are the version as an unsigned
 * 64-bit number (`001_a` and `1_b` are one version, an error); golang-migrate has no way to say
 * "no transaction" (it sends each file whole), so none is. Sub-folders are not read.
 */
function readGolangMigrate(entries) {
    const reading = emptyReading();
    const byKey = new Map();
    for (const entry of entries) {
        if (entry.isDirectory || entry.path.includes('/'))
            continue;
        const name = entry.path;
        const parsed = parseUpDownName(name);
        if (parsed === undefined) {
            if (name.endsWith('.sql')) {
                reading.errors.push(`${name} is not a golang-migrate migration name: <version>_<title>.up.sql or .down.sql.`);
            }
            continue;
        }
        const { version, direction, extension } = parsed;
        if (extension !== 'sql') {
            reading.errors.push(`${name} is not an SQL file; the action runs only .sql migrations.`);
            continue;
        }
        const key = canonicalDigits(version);
        if (compareDecimals(key, MAX_UINT64) > 0) {
            reading.errors.push(`${name} has a version above ${MAX_UINT64}, which golang-migrate cannot read either.`);
            continue;
        }
        const pair = byKey.get(key) ?? { version };
        const side = direction === 'up' ? 'up' : 'down';
        const existing = pair[side];
        if (existing !== undefined) {
            reading.errors.push(`${existing} and ${name} are both the ${side} file of version ${key}; keep one of them.`);
            continue;
        }
        pair[side] = name;
        byKey.set(key, pair);
    }
    const migrations = [];
    for (const [key, pair] of byKey) {
        if (pair.up === undefined) {
            reading.errors.push(`${pair.down} is a down file without an up file of version ${key}.`);
            continue;
        }
        migrations.push({
            layout: 'golang-migrate',
            label: pair.version,
            key,
            name: pair.up,
            upFile: pair.up,
            ...(pair.down === undefined ? {} : { downFile: pair.down }),
            noTransaction: false,
        });
    }
    return finishReading('golang-migrate', migrations, reading);
}

;// CONCATENATED MODULE: ./lib/files/layouts/goose.js
// goose's folder (`<version>_<name>.sql`, Go migrations refused) and its annotations (`-- +goose
// Up` / `Down`, `StatementBegin` / `StatementEnd`, `NO TRANSACTION`), read as goose's sqlparser
// reads them. Pure.




/** goose's NumericComponent for SQL: digits, `_`, anything, `.sql`. */
const GOOSE_NAME = /^(\d+)_.*\.sql$/;
/**
 * The migrations of a goose folder: versions are signed 64-bit numbers from 1, compared as
 * numbers. Go migrations are an error, or skipped with `skipGo`; other `.go` files (helpers,
 * tests) are not migrations, as for goose. Each file's text is cut with `gooseSections`.
 */
function readGoose(entries, options = {}) {
    const reading = emptyReading();
    const migrations = [];
    for (const entry of entries) {
        if (entry.isDirectory || entry.path.includes('/'))
            continue;
        const name = entry.path;
        if (name.endsWith('.go')) {
            if (isGoMigration(name))
                refuseGo('goose', name, options, reading);
            continue;
        }
        const match = GOOSE_NAME.exec(name);
        if (match === null) {
            if (name.endsWith('.sql')) {
                reading.errors.push(`${name} is not a goose migration name: <version>_<name>.sql.`);
            }
            continue;
        }
        const version = match[1] ?? '';
        const key = canonicalDigits(version);
        if (key === '0' || compareDecimals(key, MAX_INT64) > 0) {
            reading.errors.push(`${name} has version ${version}; goose versions go from 1 to ${MAX_INT64}.`);
            continue;
        }
        migrations.push({
            layout: 'goose',
            label: version,
            key,
            name,
            upFile: name,
            sections: gooseSections,
            noTransaction: false,
        });
    }
    return finishReading('goose', migrations, reading);
}
const ANNOTATIONS = new Map([
    'Up',
    'Down',
    'StatementBegin',
    'StatementEnd',
    'NO TRANSACTION',
    'ENVSUB ON',
    'ENVSUB OFF',
].map((annotation) => [annotation.toLowerCase(), annotation]));
/** goose's extractAnnotation: the annotation of a `-- +goose \u2026` line, or why it is not one. */
function annotationOf(line) {
    if (line.startsWith(' ') || line.startsWith('\t')) {
        return 'A goose annotation must start at the beginning of its line.';
    }
    const command = line.replaceAll('--', '').replace('+goose', '');
    if (command.includes('+goose'))
        return 'Two goose annotations on one line.';
    const annotation = ANNOTATIONS.get(command.trim().toLowerCase());
    return annotation ?? `\`${line.trim()}\` is not a goose annotation.`;
}
/**
 * Cuts a goose file into its up and down parts. As goose: `-- +goose Up` comes first (only blank
 * and comment lines before it), `Down` is optional, annotations are case-insensitive, `NO
 * TRANSACTION` anywhere runs both parts outside a transaction, and a `StatementBegin` \u2026
 * `StatementEnd` block is one statement goose never splits (returned in `explicitStatements`).
 * `ENVSUB ON` is refused: the action does not substitute environment variables.
 */
function gooseSections(text) {
    const errors = [];
    const explicit = { up: [], down: [] };
    let state = 'start';
    let noTransaction = false;
    let statementBeforeUp = false;
    let down;
    let block;
    forEachLine(text, (line, number, start, next) => {
        const trimmed = line.trim();
        if (trimmed.startsWith('--') && line.includes('+goose')) {
            const annotation = annotationOf(line);
            switch (annotation) {
                case 'Up':
                    if (state !== 'start')
                        errors.push({ line: number, message: 'A second `-- +goose Up`.' });
                    else
                        state = 'up';
                    return;
                case 'Down':
                    if (state === 'up') {
                        state = 'down';
                        down = { line: number, start, next };
                    }
                    else {
                        errors.push({
                            line: number,
                            message: state === 'start'
                                ? '`-- +goose Down` before `-- +goose Up`; goose needs Up first.'
                                : state === 'down'
                                    ? 'A second `-- +goose Down`.'
                                    : '`-- +goose Down` inside a StatementBegin block; close it with StatementEnd.',
                        });
                    }
                    return;
                case 'StatementBegin':
                    if (state === 'up' || state === 'down') {
                        state = state === 'up' ? 'upBlock' : 'downBlock';
                        block = { line: number + 1, offset: next };
                    }
                    else {
                        errors.push({
                            line: number,
                            message: state === 'start'
                                ? '`-- +goose StatementBegin` before `-- +goose Up`.'
                                : 'A `-- +goose StatementBegin` inside another; close the first with StatementEnd.',
                        });
                    }
                    return;
                case 'StatementEnd':
                    if ((state === 'upBlock' || state === 'downBlock') && block !== undefined) {
                        const part = { text: text.slice(block.offset, start), ...block };
                        (state === 'upBlock' ? explicit.up : explicit.down).push(part);
                        state = state === 'upBlock' ? 'up' : 'down';
                        block = undefined;
                    }
                    else {
                        errors.push({
                            line: number,
                            message: '`-- +goose StatementEnd` without a `-- +goose StatementBegin` before it.',
                        });
                    }
                    return;
                case 'NO TRANSACTION':
                    noTransaction = true;
                    return;
                case 'ENVSUB ON':
                    errors.push({
                        line: number,
                        message: '`-- +goose ENVSUB ON` asks for environment variables to be substituted, which the ' +
                            'action does not do; write the values into the file.',
                    });
                    return;
                case 'ENVSUB OFF':
                    return;
                default:
                    errors.push({ line: number, message: annotation });
                    return;
            }
        }
        if (state === 'start' && !statementBeforeUp && trimmed !== '' && !trimmed.startsWith('--')) {
            // One such error is enough: goose stops at the first such line too.
            statementBeforeUp = true;
            errors.push({ line: number, message: 'A statement before `-- +goose Up`.' });
        }
    });
    if (state === 'start') {
        errors.push({ line: 1, message: 'No `-- +goose Up` annotation; goose requires one.' });
    }
    else if (block !== undefined) {
        errors.push({
            line: block.line - 1,
            message: '`-- +goose StatementBegin` is never closed by `-- +goose StatementEnd`.',
        });
    }
    return {
        up: { text: text.slice(0, down?.start ?? text.length), line: 1, offset: 0 },
        ...(down === undefined
            ? {}
            : { down: { text: text.slice(down.next), line: down.line + 1, offset: down.next } }),
        noTransaction,
        downNoTransaction: noTransaction,
        explicitStatements: explicit,
        errors,
    };
}

;// CONCATENATED MODULE: ./lib/files/layouts/popx.js
// Ory popx's folder: `<version>_<name>[.<dialect>][.autocommit].(up|down).sql`, read from the names
// as popx's ParseMigrationFilename and sortAndFilter read them for PostgreSQL. Pure.



/** popx's mrx: `^(\d+)_([^.]+)(\.[a-z0-9]+)?(|\.autocommit)\.(up|down)\.(sql|fizz)$`. */
const POPX_NAME = /^(\d+)_([^.]+)(\.[a-z0-9]+)?(|\.autocommit)\.(up|down)\.(sql|fizz)$/;
/** pop's names for PostgreSQL (CanonicalDialect maps these to `postgres`). */
const POSTGRES_DIALECTS = new Set(['postgres', 'postgresql', 'pg', 'pgx']);
/**
 * The migrations of a popx folder for PostgreSQL. A file for PostgreSQL wins over one for all
 * dialects of the same version, as in popx; files of other dialects are skipped (listed, not an
 * error). `.autocommit` means no transaction. Versions are compared as exact numbers (Ory's are 20
 * digits, beyond bigint); popx itself orders them as text, and a difference is a warning.
 */
function readPopx(entries, options = {}) {
    const reading = emptyReading();
    const ups = new Map();
    const downs = new Map();
    for (const entry of entries) {
        if (entry.isDirectory || entry.path.includes('/'))
            continue;
        const name = entry.path;
        if (name.endsWith('.go')) {
            if (isGoMigration(name))
                refuseGo('popx', name, options, reading);
            continue;
        }
        const match = POPX_NAME.exec(name);
        if (match === null) {
            if (name.endsWith('.sql') || name.endsWith('.fizz')) {
                reading.errors.push(`${name} is not a popx migration name: ` +
                    '<version>_<name>[.<dialect>][.autocommit].up.sql or .down.sql.');
            }
            continue;
        }
        const [, version = '', , dialectPart = '', autocommitPart, direction, type] = match;
        const dialect = dialectPart.slice(1);
        if (dialect === 'autocommit' && autocommitPart === '') {
            // popx reads this as the dialect `autocommit`, which it does not support and so ignores.
            reading.skipped.push({
                path: name,
                reason: 'popx reads `.autocommit` without a dialect as a dialect it ignores; ' +
                    'name it <version>_<name>.postgres.autocommit.up.sql',
            });
            continue;
        }
        if (dialect !== '' && !POSTGRES_DIALECTS.has(dialect)) {
            reading.skipped.push({
                path: name,
                reason: `a popx migration for ${dialect}`,
                otherDialect: dialect,
            });
            continue;
        }
        if (type === 'fizz') {
            reading.errors.push(`${name} is a Fizz migration, which the action cannot run; rewrite it in SQL.`);
            continue;
        }
        const file = {
            path: name,
            version,
            specific: dialect !== '',
            autocommit: autocommitPart === '.autocommit',
        };
        const key = canonicalDigits(version);
        const side = direction === 'up' ? ups : downs;
        const existing = side.get(key);
        if (existing === undefined || (file.specific && !existing.specific)) {
            side.set(key, file);
        }
        else if (existing.specific === file.specific) {
            reading.errors.push(`${existing.path} and ${name} are both the ${direction} migration of version ${version} ` +
                'for PostgreSQL; keep one of them.');
        }
    }
    const migrations = [];
    for (const [key, up] of ups) {
        const down = downs.get(key);
        migrations.push({
            layout: 'popx',
            label: up.version,
            key,
            name: up.path,
            upFile: up.path,
            ...(down === undefined ? {} : { downFile: down.path, downNoTransaction: down.autocommit }),
            noTransaction: up.autocommit,
        });
    }
    for (const [key, down] of downs) {
        if (!ups.has(key)) {
            reading.errors.push(`${down.path} is a down migration without an up migration of its version.`);
        }
    }
    return finishReading('popx', migrations, reading, (migration) => migration.label);
}
/** One log line for the files a popx folder holds for other databases; undefined when none. */
function otherDialectsLine(skipped) {
    const counts = new Map();
    for (const { otherDialect } of skipped) {
        if (otherDialect !== undefined)
            counts.set(otherDialect, (counts.get(otherDialect) ?? 0) + 1);
    }
    if (counts.size === 0)
        return undefined;
    const total = [...counts.values()].reduce((sum, n) => sum + n, 0);
    const each = [...counts].map(([dialect, n]) => `${dialect}: ${n}`).join(', ');
    return `Left out ${total} ${total === 1 ? 'file' : 'files'} for other databases (${each}), as popx does on PostgreSQL.`;
}

;// CONCATENATED MODULE: ./lib/files/layouts/prisma.js
// Prisma's folder: `<timestamp>_<name>/migration.sql` (and `migration_lock.toml`), one folder per
// migration. Pure; reads names only.



/** A Prisma folder name with its leading version: `20240212120203_init`, `0_init`. */
const PRISMA_FOLDER = /^(\d+)(?:_.*)?$/;
/**
 * The migrations of a Prisma folder: each sub-folder holds `migration.sql` (and, if the team wrote
 * one, the `down.sql` Prisma's documentation suggests). `migration_lock.toml` is Prisma's own.
 * Prisma applies folders in the text order of their names; the action orders the leading
 * timestamps as numbers, and warns where the two differ. Prisma has no "no transaction" setting.
 */
function readPrisma(entries) {
    const reading = emptyReading();
    const migrations = [];
    for (const [folder, files] of foldersOf(entries, reading)) {
        const match = PRISMA_FOLDER.exec(folder);
        if (match === null) {
            reading.errors.push(`${folder} is not a Prisma migration folder name: <timestamp>_<name>, e.g. ` +
                '20240212120203_init.');
            continue;
        }
        if (!files.has('migration.sql')) {
            reading.errors.push(`${folder} has no migration.sql, which Prisma needs in every folder.`);
            continue;
        }
        const version = match[1] ?? '';
        migrations.push({
            layout: 'prisma',
            label: version,
            key: canonicalDigits(version),
            name: folder,
            upFile: `${folder}/migration.sql`,
            ...(files.has('down.sql') ? { downFile: `${folder}/down.sql` } : {}),
            noTransaction: false,
        });
    }
    return finishReading('prisma', migrations, reading, (migration) => migration.name);
}

;// CONCATENATED MODULE: ./lib/files/layouts/detect.js
// Recognises a migrations folder's layout from its names (and, for the single-file layouts that
// share one naming, from the first lines of the files' texts when given). Pure.






const PLAIN_NAME = /^\d+_[A-Za-z0-9_-]+\.sql$/;
const GOOSE_ANNOTATION = /^\s*--.*\+goose/;
const DBMATE_UP = /^--\s*migrate:up(?:\s|$)/;
const DBMATE_UP_WITH_OPTIONS = /^--\s*migrate:up\s+\S/;
const DBMATE_DOWN = /^--\s*migrate:down(?:\s|$)/m;
const detect_BLANK_OR_COMMENT = /^\s*(?:--|$)/;
const FAMILY_WORDS = {
    flyway: 'Flyway',
    prisma: 'Prisma',
    diesel: 'diesel',
};
/**
 * The layout to read the folder in. A requested layout is taken as it is. `auto` looks at the
 * names: `.up.sql`/`.down.sql` pairs (popx when a name carries a dialect or `.autocommit`, or a
 * version beyond golang-migrate's 64 bits; else golang-migrate), Flyway's `V\u2026__\u2026sql`, Prisma's
 * `<folder>/migration.sql`, diesel's `<folder>/up.sql`, or `<version>\u2026sql` files (goose, dbmate or
 * plain: see `singleFileLayout`). Names of two of these families in one folder are an error naming
 * one file of each. A folder with none of them is plain.
 */
function detectLayout(entries, requested, options = {}) {
    if (requested !== 'auto')
        return { ok: true, layout: requested, reason: 'set by the layout input' };
    const first = new Map();
    const counts = new Map();
    const singles = [];
    let popxEvidence;
    let goFile;
    const note = (family, path) => {
        if (!first.has(family))
            first.set(family, path);
        counts.set(family, (counts.get(family) ?? 0) + 1);
    };
    for (const entry of entries) {
        if (entry.isDirectory)
            continue;
        const path = entry.path;
        const slash = path.indexOf('/');
        if (slash >= 0) {
            if (path.indexOf('/', slash + 1) >= 0)
                continue;
            const name = path.slice(slash + 1);
            if (name === 'migration.sql')
                note('prisma', path);
            else if (name === 'up.sql')
                note('diesel', path);
            else if (isFlywayName(name))
                note('flyway', path);
            continue;
        }
        if (path.endsWith('.go')) {
            if (goFile === undefined && isGoMigration(path))
                goFile = path;
            continue;
        }
        if (path === 'migration_lock.toml') {
            note('prisma', path);
            continue;
        }
        if (!path.endsWith('.sql') && !path.endsWith('.fizz'))
            continue;
        const upDown = parseUpDownName(path);
        if (upDown !== undefined) {
            note('updown', path);
            // Only a title with a dot (a dialect, `.autocommit`), Fizz or a long version can be popx's.
            const { version, title, extension } = upDown;
            const maybePopx = title.includes('.') || extension === 'fizz' || version.length >= 20;
            if (popxEvidence === undefined && maybePopx && isPopxOnly(path, version))
                popxEvidence = path;
        }
        else if (isFlywayName(path))
            note('flyway', path);
        else if (DBMATE_NAME.test(path)) {
            note('single', path);
            singles.push(path);
        }
    }
    const families = [...first.keys()];
    const familyWord = (family) => family === 'updown'
        ? popxEvidence === undefined
            ? 'golang-migrate'
            : 'popx'
        : family === 'single'
            ? goFile === undefined
                ? 'plain, dbmate or goose'
                : 'goose'
            : FAMILY_WORDS[family];
    if (families.length > 1) {
        const [a = 'updown', b = 'single'] = families;
        return {
            ok: false,
            error: `The migrations folder mixes layouts: ${first.get(a)} is named as for ${familyWord(a)} and ` +
                `${first.get(b)} as for ${familyWord(b)}; keep one layout in the folder, or set ` +
                '`layout:` to the one to read.',
        };
    }
    const family = families[0];
    if (family === undefined) {
        if (goFile !== undefined) {
            return {
                ok: true,
                layout: 'goose',
                reason: `auto: only Go migrations (e.g. ${goFile}): goose`,
            };
        }
        return { ok: true, layout: 'plain', reason: 'auto: no file named as for another tool: plain' };
    }
    const count = counts.get(family) ?? 0;
    const example = `${count} file${count === 1 ? '' : 's'} such as ${first.get(family)}`;
    if (family === 'single')
        return singleFileLayout(singles, goFile, example, options);
    const layout = family === 'updown' ? (popxEvidence === undefined ? 'golang-migrate' : 'popx') : family;
    const why = layout === 'popx' ? `; ${popxEvidence} carries popx's dialect, autocommit or version` : '';
    return { ok: true, layout, reason: `auto: ${example}${why}: ${layout}` };
}
/** A `.up.sql`/`.down.sql` name only popx reads: dialect, `.autocommit`, Fizz, or > 64 bits. */
function isPopxOnly(name, version) {
    const popx = POPX_NAME.exec(name);
    if (popx !== null && ((popx[3] ?? '') !== '' || popx[4] !== '' || popx[6] === 'fizz'))
        return true;
    return compareDecimals(canonicalDigits(version), MAX_UINT64) > 0;
}
/**
 * dbmate, goose and plain share `<version>_<name>.sql`. goose when Go migrations sit beside them
 * or a file's header has a `+goose` annotation; dbmate when a name only dbmate reads
 * (`20240212120203.sql`) or a `-- migrate:up` with options (`transaction:false`) appears, or when
 * every file has dbmate's two markers (the plain layout reads those files alike); else plain.
 * A goose file and a dbmate file in one folder are an error naming both.
 */
function singleFileLayout(paths, goFile, example, options) {
    let goose = goFile;
    let dbmateOnly;
    let dbmateMarked;
    let everyFileMarked = options.textOf !== undefined;
    // goose and dbmate want their marker in every file: when the first file has none, the folder is
    // plain (a stray marker further on is named by the pre-flight check of pending files), and the
    // other files' texts are not read, so a run with nothing to do reads each file once.
    let unmarked = false;
    for (const path of paths) {
        const text = unmarked ? undefined : options.textOf?.(path);
        if (text === undefined) {
            if (!PLAIN_NAME.test(path) && !path.includes('_'))
                dbmateOnly ??= path;
            everyFileMarked = false;
            continue;
        }
        const header = headerOf(text);
        if (header.goose)
            goose ??= path;
        if (header.dbmateUp) {
            dbmateMarked ??= path;
            if (header.dbmateOptions || !PLAIN_NAME.test(path))
                dbmateOnly ??= path;
        }
        if (!header.dbmateUp || !DBMATE_DOWN.test(text))
            everyFileMarked = false;
        if (!header.goose && !header.dbmateUp && goose === undefined && dbmateMarked === undefined) {
            unmarked = true;
        }
    }
    const dbmate = dbmateOnly ?? (everyFileMarked ? dbmateMarked : undefined);
    if (goose !== undefined && (dbmate ?? dbmateMarked) !== undefined) {
        return {
            ok: false,
            error: `The migrations folder mixes layouts: ${goose} is written for goose and ` +
                `${dbmate ?? dbmateMarked} for dbmate; keep one layout in the folder, or set \`layout:\` ` +
                'to the one to read.',
        };
    }
    if (goose !== undefined) {
        return { ok: true, layout: 'goose', reason: `auto: ${example}; ${goose} is goose's: goose` };
    }
    if (dbmate !== undefined) {
        const why = dbmateOnly === undefined ? 'every file has dbmate markers' : `${dbmate} is dbmate's`;
        return { ok: true, layout: 'dbmate', reason: `auto: ${example}; ${why}: dbmate` };
    }
    const texts = options.textOf === undefined ? ' (file texts not looked at)' : '';
    return { ok: true, layout: 'plain', reason: `auto: ${example}${texts}: plain` };
}
/** What the leading blank and comment lines of a file say (both tools' markers sit there). */
function headerOf(text) {
    const found = { goose: false, dbmateUp: false, dbmateOptions: false };
    let start = 0;
    while (start <= text.length) {
        const newline = text.indexOf('\n', start);
        const line = text.slice(start, newline < 0 ? text.length : newline);
        if (!detect_BLANK_OR_COMMENT.test(line))
            break;
        if (GOOSE_ANNOTATION.test(line))
            found.goose = true;
        else if (DBMATE_UP.test(line)) {
            found.dbmateUp = true;
            if (DBMATE_UP_WITH_OPTIONS.test(line))
                found.dbmateOptions = true;
        }
        if (newline < 0)
            break;
        start = newline + 1;
    }
    return found;
}

;// CONCATENATED MODULE: ./lib/files/layouts/settings.js

const TOML_KEY_VALUE = /^("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=\s*(.*)$/;
const TOML_TABLE = /^\[\[?\s*[^\]]+\]\]?\s*(?:#.*)?$/;
/**
 * diesel's `metadata.toml`: only a top-level `run_in_transaction = true | false` matters; other
 * keys and tables are ignored. As diesel (whose field is `#[serde(default)] bool`), a file that
 * exists without `run_in_transaction` means false: no transaction. A line that is not TOML is an
 * error, where diesel would silently fall back to a transaction.
 */
function readDieselMetadata(text, path) {
    const errors = [];
    let runInTransaction;
    let inTable = false;
    let openBrackets = 0;
    let multilineQuote;
    forEachLine(text, (raw, number) => {
        const line = raw.trim();
        // A multi-line array or string of another key: skip to its end.
        if (multilineQuote !== undefined) {
            if (line.includes(multilineQuote))
                multilineQuote = undefined;
            return;
        }
        if (openBrackets > 0) {
            openBrackets += bracketBalance(line);
            return;
        }
        if (line === '' || line.startsWith('#'))
            return;
        if (TOML_TABLE.test(line)) {
            inTable = true;
            return;
        }
        const match = TOML_KEY_VALUE.exec(line);
        if (match === null || (match[2] ?? '').trim() === '') {
            errors.push(`${path}:${number}: \`${line}\` is not a TOML key = value line.`);
            return;
        }
        const key = (match[1] ?? '').replace(/^["']|["']$/g, '');
        const value = (match[2] ?? '').replace(/\s+#.*$/, '').trim();
        if (key === 'run_in_transaction' && !inTable) {
            if (value === 'true' || value === 'false')
                runInTransaction = value === 'true';
            else {
                errors.push(`${path}:${number}: run_in_transaction must be true or false, not ${value}.`);
            }
            return;
        }
        for (const quote of ['"""', "'''"]) {
            if (value.startsWith(quote) && value.indexOf(quote, 3) < 0)
                multilineQuote = quote;
        }
        if (value.startsWith('['))
            openBrackets = Math.max(0, bracketBalance(value));
    });
    return { noTransaction: runInTransaction !== true, errors };
}
function bracketBalance(text) {
    let balance = 0;
    for (const character of text) {
        if (character === '[')
            balance++;
        else if (character === ']')
            balance--;
    }
    return balance;
}
const PROPERTY = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/;
const UTF8 = /^utf-?8$/i;
/**
 * Flyway's script configuration (`V2__x.sql.conf`, Java properties): `executeInTransaction=false`
 * (also as `flyway.executeInTransaction`) runs the migration outside a transaction. A condition
 * (`shouldExecute`) or an encoding other than UTF-8 is an error: the action always runs the file and
 * reads it as UTF-8. Other keys are ignored.
 */
function readFlywayScriptConfig(text, path) {
    const errors = [];
    let noTransaction = false;
    forEachLine(text, (raw, number) => {
        const line = raw.trim();
        if (line === '' || line.startsWith('#') || line.startsWith('!'))
            return;
        const match = PROPERTY.exec(line);
        if (match === null) {
            errors.push(`${path}:${number}: \`${line}\` is not a key=value line.`);
            return;
        }
        const key = (match[1] ?? '').replace(/^flyway\./, '');
        const value = (match[2] ?? '').trim();
        if (key === 'executeInTransaction') {
            if (/^(?:true|false)$/i.test(value))
                noTransaction = value.toLowerCase() === 'false';
            else
                errors.push(`${path}:${number}: executeInTransaction must be true or false.`);
        }
        else if (key === 'shouldExecute') {
            errors.push(`${path}:${number}: shouldExecute makes the migration conditional, which the action does ` +
                'not support; remove it.');
        }
        else if (key === 'encoding' && !UTF8.test(value)) {
            errors.push(`${path}:${number}: the action reads migrations as UTF-8, not ${value}.`);
        }
    });
    return { noTransaction, errors };
}
/** The settings file of a migration of `layout` (its `settingsFile`), read. */
function readSettings(layout, text, path) {
    if (layout === 'diesel')
        return readDieselMetadata(text, path);
    if (layout === 'flyway')
        return readFlywayScriptConfig(text, path);
    return { noTransaction: false, errors: [] };
}

;// CONCATENATED MODULE: ./lib/files/layouts/index.js
// The public face of src/files/layouts: detect a folder's layout, read another tool's migrations
// from its names, cut single-file migrations into sections, read per-migration settings. Pure: the
// folder is listed by files/folder.ts.















/**
 * The migrations of a folder in another tool's layout, in that tool's order, with the errors,
 * warnings and skipped files of the names. The plain layout is read by src/migrations.ts.
 */
function migrationsOf(layout, entries, options = {}) {
    switch (layout) {
        case 'golang-migrate':
            return readGolangMigrate(entries);
        case 'dbmate':
            return readDbmate(entries);
        case 'goose':
            return readGoose(entries, options);
        case 'flyway':
            return readFlyway(entries);
        case 'prisma':
            return readPrisma(entries);
        case 'diesel':
            return readDiesel(entries);
        case 'popx':
            return readPopx(entries, options);
    }
}

;// CONCATENATED MODULE: ./lib/files/naming.js
// Which file names are migrations, and their versions: identity and order. Pure.
/** PostgreSQL's `bigint` maximum: the tracking table's version column. */
const MAX_VERSION = 9223372036854775807n;
const MIGRATION_NAME = /^(\d+)_([A-Za-z0-9_-]+)\.sql$/;
/** The numeric version of a migration file name, or undefined when the name is not one. */
function versionOf(fileName) {
    const match = MIGRATION_NAME.exec(fileName);
    return match?.[1] === undefined ? undefined : BigInt(match[1]);
}
/** Ascending version: the order of application. */
function byVersion(a, b) {
    return a.version < b.version ? -1 : a.version > b.version ? 1 : 0;
}
/** A migration's exact identity as a string: its key when it has one, else its version. */
function keyOf(migration) {
    return migration.key ?? String(migration.version);
}

;// CONCATENATED MODULE: ./lib/files/keys.js
// Versions that do not fit bigint or do not order as numbers (Flyway's `1.7`, popx's 20 digits,
// diesel's text order): the tracking table's stand-in version, the layout's order, and a version
// input read in the layout's own terms. Pure.




/**
 * The tracking table's `version` for a key that is not the decimal of a bigint: a negative number
 * (from -2^63 to -1) taken from the key's SHA-256, so it never equals a real version (those are
 * 0 or more) and every run, on every machine, derives the same number from the same key.
 */
function standInVersion(key) {
    // The one-shot hash in hex (its default: 'buffer' output takes Node's slow encoding path), and
    // its first 16 hex digits as the number: a Hash object and readBigUInt64BE per key cost a noop
    // of 1,000 popx files about 20 ms in a fresh process; this is the same number.
    const first = BigInt(`0x${(0,external_node_crypto_.hash)('sha256', key).slice(0, 16)}`);
    return -1n - (first & 0x7fffffffffffffffn);
}
/**
 * A decimal that PostgreSQL's bigint holds (`0` to 9223372036854775807); leading zeros allowed, as
 * a file's version `00042` is the number 42 (and a diesel record `00000000000000` is version 0).
 */
function fitsBigint(key) {
    if (!/^\d+$/.test(key))
        return false;
    return compareDecimals(canonicalDigits(key), MAX_INT64) <= 0;
}
/**
 * The tracking table's version for a layout's key: the number itself when it fits bigint (Flyway's
 * `42`, any popx version up to 19 digits), else a stand-in with the key kept as the identity.
 */
function versionOfKey(key) {
    return fitsBigint(key) ? { version: BigInt(key) } : { version: standInVersion(key), key };
}
/**
 * The order of a layout's versions, when it is not the plain numeric one: Flyway's part by part
 * and popx's exact decimals (numbers decide while neither side has a key), diesel's text. Plain and
 * the other layouts order by `version` alone (undefined: the caller compares bigints directly).
 */
function versionOrder(layout) {
    if (layout === 'flyway' || layout === 'popx') {
        // Each key's sortable string once (`compareKeys` order as code units): sorting 10,000 Flyway
        // rows then splits no key per comparison.
        const sortables = new Map();
        const sortableOf = (versioned) => {
            const key = keyOf(versioned);
            let order = sortables.get(key);
            if (order === undefined) {
                order = sortable(layout, key);
                sortables.set(key, order);
            }
            return order;
        };
        return (a, b) => {
            if (a.key === undefined && b.key === undefined)
                return byVersion(a, b);
            const orderA = sortableOf(a);
            const orderB = sortableOf(b);
            return orderA < orderB ? -1 : orderA > orderB ? 1 : 0;
        };
    }
    // diesel compares its versions as text: `202402121202030000` sorts before `20240301000000`.
    if (layout === 'diesel')
        return (a, b) => compareKeys('diesel', keyOf(a), keyOf(b));
    return undefined;
}
/**
 * Reads a version input as the layout writes versions: Flyway's dotted parts (`1.7`, `2.0.3`,
 * `1_7`), diesel's digits and dashes (`2024-02-12-120203`), digits for the others (popx's 20
 * digits included); canonicalised with the layout's own key, so `1.07` or `1.7.0` finds `V1.7__x.sql` as
 * Flyway would. Anything else is a ConfigurationError naming the input.
 */
function readVersionInput(layout, input, text) {
    const key = keyOfInput(layout, text);
    if (key === undefined) {
        const example = layout === 'flyway'
            ? 'a Flyway version such as 1.7 or 2.0.3'
            : layout === 'diesel'
                ? 'a diesel version such as 20240212120203'
                : 'a migration version number such as 3';
        throw new ConfigurationError(`Input ${input} is "${text}", but it must be ${example}.`);
    }
    return { ...versionOfKey(key), label: text };
}
function keyOfInput(layout, text) {
    if (layout === 'flyway')
        return flywayKey(text);
    if (layout === 'diesel') {
        // The canonical number the tracking table keeps (the plan compares those as text).
        return /^[0-9][0-9-]*$/.test(text) ? canonicalDigits(text.replaceAll('-', '')) : undefined;
    }
    return /^\d+$/.test(text) ? canonicalDigits(text) : undefined;
}

// EXTERNAL MODULE: ./lib/history/table.js
var history_table = __nccwpck_require__(3452);
;// CONCATENATED MODULE: ./lib/history/read.js



// Type OIDs of pg_type, as the server reports them for each column of a result.
const INT4 = 23;
const INT8 = 20;
const TEXT = 25;
const VARCHAR = 1043;
const TIMESTAMPTZ = 1184;
const EXPECTED = {
    version: { types: [INT8], type: 'bigint' },
    name: { types: [TEXT, VARCHAR], type: 'text' },
    checksum: { types: [TEXT, VARCHAR], type: 'text' },
    status: { types: [TEXT, VARCHAR], type: 'text' },
    applied_at: { types: [TIMESTAMPTZ], type: 'timestamptz' },
    execution_ms: { types: [INT4, INT8], type: 'integer' },
    applied_by: { types: [TEXT, VARCHAR], type: 'text' },
};
// The run needs four columns; the other three are selected as typed NULLs, so that the result's
// description still shows their types for the fit check without sending their values.
const NEEDED = ['version', 'name', 'checksum', 'status'];
// `version_key` (the exact identity of a stand-in version, always negative) exists only in a table
// that once had to hold one: read through the row as JSON, which does not fail when the column is
// absent, and only for negative versions, so a table without any costs nothing per row.
const KEY = "CASE WHEN version < 0 THEN to_jsonb(t)->>'version_key' END AS version_key";
const SELECTED = Object.keys(EXPECTED)
    .map((c) => (NEEDED.includes(c) ? c : `CASE WHEN false THEN ${c} END AS ${c}`))
    .concat(KEY)
    .join(', ');
const STATUSES = new Set(['applied', 'baseline', 'running', 'failed', 'rolled back']);
/**
 * Reads the history in one query. A missing table (or schema) is an empty history, so that the
 * everyday run that finds nothing to do costs a single round trip; the column types are checked
 * from the result's own description rather than by a second query to the catalog.
 */
async function readHistory(client, tracking) {
    let result;
    try {
        result = await client.query({
            // No ORDER BY: the rows are sorted below (see there).
            text: `SELECT ${SELECTED} FROM ${(0,history_table/* qualifiedName */.O)(tracking)} AS t`,
            rowMode: 'array',
            // Every value as the server's text: no Date or number parsing for thousands of rows.
            types: { getTypeParser: () => (value) => value },
        });
    }
    catch (error) {
        const code = error.code;
        if (code === '42P01')
            return { exists: false, rows: [] };
        if (code === '42501')
            throw await readDenied(client, tracking);
        if (code === '42703')
            throw await misfit(client, tracking);
        throw error;
    }
    const wrong = result.fields.filter((f) => f.name !== 'version_key' && !EXPECTED[f.name]?.types.includes(f.dataTypeID));
    if (wrong.length > 0)
        throw await misfit(client, tracking);
    const rows = result.rows.map((r) => {
        const row = {
            version: BigInt(r[0]),
            name: r[1],
            checksum: r[2],
            status: r[3],
        };
        const key = r[7];
        if (key !== null)
            row.key = key;
        return row;
    });
    // Sorted here rather than by the server: in a new session, planning an ordered scan costs the
    // server 5-7 ms of CPU (about an eighth of a fleet's whole cost per up-to-date database), and
    // sorting a history that comes back in the order it was written is nearly free here.
    rows.sort(byVersion);
    const unknown = rows.find((row) => !STATUSES.has(row.status));
    if (unknown) {
        throw new ConfigurationError(`${tableLabel(tracking)} was not written by this action (version ${unknown.key ?? unknown.version} has status "${unknown.status}"): ${whatToDo(tracking, rows.at(-1)?.version)}`);
    }
    return { exists: true, rows };
}
function tableLabel(tracking) {
    return `The tracking table ${tracking.schema}.${tracking.table}`;
}
function whatToDo(tracking, highest) {
    const baseline = highest === undefined
        ? 'then run command: baseline with the highest version it recorded'
        : `then run command: baseline with baseline-version: ${highest} (the highest version it recorded)`;
    return `leave it as it is, set table: to a new name (for example ${tracking.table}_v2), ${baseline}.`;
}
/**
 * The one sentence for a history the role may not read: the tracking table is named, and the
 * grant it lacks (USAGE on the schema, SELECT on the table), rather than PostgreSQL's bare
 * `permission denied for schema ops`.
 */
async function readDenied(client, tracking) {
    // By OID, not by name: looking a name up in a schema without USAGE is itself refused.
    const { rows } = await client.query(`SELECT current_user AS role, coalesce(has_schema_privilege(n.oid, 'USAGE'), true) AS usage,
       coalesce(has_table_privilege(c.oid, 'SELECT'), true) AS select
     FROM (SELECT 1) AS one
     LEFT JOIN pg_namespace n ON n.nspname = $1
     LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = $2`, [tracking.schema, tracking.table]);
    const access = rows[0] ?? { role: 'the role', usage: false, select: false };
    const role = /^[a-z_][a-z0-9_$]*$/.test(access.role)
        ? access.role
        : `"${access.role.replaceAll('"', '""')}"`;
    const grants = [
        access.usage ? '' : `GRANT USAGE ON SCHEMA ${tracking.schema} TO ${role}`,
        access.select
            ? ''
            : `GRANT SELECT, INSERT, UPDATE ON ${tracking.schema}.${tracking.table} TO ${role}`,
    ].filter(Boolean);
    const what = access.usage
        ? 'SELECT privilege on it'
        : `USAGE privilege on schema ${tracking.schema}`;
    return new ConfigurationError(`${tableLabel(tracking)} cannot be read: role ${access.role} has no ${what}; run ${grants.join(' and ') || `GRANT USAGE ON SCHEMA ${tracking.schema} TO ${role}`}.`);
}
/** Names what does not fit in an existing table, for the one-sentence error. */
async function misfit(client, tracking) {
    const { rows } = await client.query('SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2', [tracking.schema, tracking.table]);
    const actual = new Map(rows.map((r) => [r.column_name, r.data_type]));
    const problems = [];
    for (const [column, { type }] of Object.entries(EXPECTED)) {
        const found = actual.get(column);
        if (found === undefined)
            problems.push(`no column ${column}`);
        else if (!sameType(found, type))
            problems.push(`${column} is ${found}, not ${type}`);
    }
    let highest;
    if (actual.has('version')) {
        const max = await client.query(
        // Compared as numbers: an old table may keep versions as text, where '9' > '10'.
        `SELECT max(version::text::numeric)::text AS max FROM ${(0,history_table/* qualifiedName */.O)(tracking)} WHERE version::text ~ '^[0-9]+$'`);
        const text = max.rows[0]?.max;
        if (text && /^\d+$/.test(text))
            highest = BigInt(text);
    }
    return new ConfigurationError(`${tableLabel(tracking)} exists but does not fit this action (${problems.join('; ')}): ${whatToDo(tracking, highest)}`);
}
function sameType(found, expected) {
    const aliases = {
        bigint: ['bigint'],
        text: ['text', 'character varying'],
        timestamptz: ['timestamp with time zone'],
        integer: ['integer', 'bigint'],
    };
    return aliases[expected]?.includes(found) ?? false;
}

;// CONCATENATED MODULE: ./lib/sql/literal.js
// Quoting a value as an SQL string literal. Pure.
/** A string literal, safe whatever the text and whatever standard_conforming_strings says. */
function literal(text) {
    const quoted = `'${text.replaceAll("'", "''")}'`;
    return text.includes('\\') ? `E${quoted.replaceAll('\\', '\\\\')}` : quoted;
}

;// CONCATENATED MODULE: ./lib/history/write.js



/**
 * The SQL that creates the tracking table when it does not exist, and its schema when
 * `pg_namespace` lacks it: a role may own its schema without having CREATE on the database, so
 * `CREATE SCHEMA IF NOT EXISTS` is not issued blindly. The caller sends it inside the first
 * migration's transaction, while holding the migration lock, so a run whose first migration fails
 * leaves no table behind. Before anything runs, the same query checks that the session's role may
 * create the table, or write the existing one (INSERT, and UPDATE for `no-transaction` files):
 * otherwise the action's own SQL would fail inside the first migration and be reported as that
 * migration's failure. Throws a ConfigurationError that names the missing grant.
 */
async function createHistorySql(client, tracking, { update = false } = {}) {
    const access = await accessOf(client, tracking);
    const problem = missingGrant(access, tracking, update);
    if (problem)
        throw new ConfigurationError(problem);
    if (access.table_exists)
        return '';
    const createSchema = access.schema_exists
        ? ''
        : `CREATE SCHEMA ${(0,history_table/* quoteIdentifier */.C)(tracking.schema)};`;
    return `${createSchema}CREATE TABLE IF NOT EXISTS ${(0,history_table/* qualifiedName */.O)(tracking)} (version bigint PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, status text NOT NULL CHECK (status IN (${STATUS_LIST})), applied_at timestamptz NOT NULL DEFAULT now(), execution_ms integer NOT NULL DEFAULT 0, applied_by text NOT NULL DEFAULT '');`;
}
/** What the session's role may do with the tracking table and its schema, in one query. */
async function accessOf(client, tracking) {
    // By OID, not by name: looking a name up in a schema without USAGE is itself refused.
    const { rows } = await client.query(`SELECT current_user AS role, current_database() AS database,
       n.oid IS NOT NULL AS schema_exists,
       has_database_privilege(current_database(), 'CREATE') AS create_database,
       n.oid IS NOT NULL AND has_schema_privilege(n.oid, 'CREATE') AS create_schema,
       n.oid IS NOT NULL AND has_schema_privilege(n.oid, 'USAGE') AS usage_schema,
       c.oid IS NOT NULL AS table_exists,
       c.oid IS NOT NULL AND has_table_privilege(c.oid, 'SELECT') AS select_table,
       c.oid IS NOT NULL AND has_table_privilege(c.oid, 'INSERT') AS insert_table,
       c.oid IS NOT NULL AND has_table_privilege(c.oid, 'UPDATE') AS update_table
     FROM (SELECT 1) AS one
     LEFT JOIN pg_namespace n ON n.nspname = $1
     LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = $2`, [tracking.schema, tracking.table]);
    return rows[0];
}
/** An identifier as a GRANT needs it: quoted unless PostgreSQL would read it unquoted. */
function ident(name) {
    return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}
/** The sentence for a grant the run needs and lacks, or undefined. */
function missingGrant(access, tracking, update) {
    const role = ident(access.role);
    const schema = ident(tracking.schema);
    const table = `${schema}.${ident(tracking.table)}`;
    const name = `${tracking.schema}.${tracking.table}`;
    if (!access.schema_exists) {
        if (access.create_database)
            return undefined;
        return `The tracking table ${name} cannot be created: its schema does not exist and role ${access.role} has no CREATE privilege on database ${access.database}; create the schema (CREATE SCHEMA ${schema} AUTHORIZATION ${role}) or run GRANT CREATE ON DATABASE ${ident(access.database)} TO ${role}, or set schema: to a schema the role may create tables in.`;
    }
    if (!access.table_exists) {
        const lacking = [access.usage_schema ? '' : 'USAGE', access.create_schema ? '' : 'CREATE']
            .filter(Boolean)
            .join(', ');
        if (!lacking)
            return undefined;
        return `The tracking table ${name} cannot be created: role ${access.role} has no ${lacking} privilege on schema ${tracking.schema}; run GRANT ${lacking} ON SCHEMA ${schema} TO ${role}, or set schema: to a schema the role may create tables in.`;
    }
    const lacking = [
        access.usage_schema ? '' : `USAGE ON SCHEMA ${schema}`,
        access.select_table && access.insert_table && (access.update_table || !update)
            ? ''
            : `SELECT, INSERT${update ? ', UPDATE' : ''} ON ${table}`,
    ].filter(Boolean);
    if (lacking.length === 0)
        return undefined;
    return `The tracking table ${name} cannot be written by role ${access.role}: run ${lacking.map((grant) => `GRANT ${grant} TO ${role}`).join(' and ')}.`;
}
/** Every status a row may have, as the CHECK of a table this action creates lists them. */
const STATUS_LIST = "'applied', 'baseline', 'running', 'failed', 'rolled back'";
/**
 * The INSERT that records a migration, as text to send in the same message as the migration.
 * `executionMs` is an SQL expression, so that the server measures the time the file took.
 */
function insertRowSql(tracking, row, executionMs) {
    // Only a `rolled back` row is replaced: a row of any other status still makes the INSERT fail
    // on the primary key, as a migration applied twice must.
    const replace = row.replacesRolledBack
        ? `DELETE FROM ${(0,history_table/* qualifiedName */.O)(tracking)} WHERE version = ${row.version} AND status = 'rolled back';`
        : '';
    // `version_key` only for a row that has one: a table without the column takes every other row.
    const [keyColumn, keyValue] = row.key === undefined ? ['', ''] : [', version_key', `, ${literal(row.key)}`];
    return `${replace}INSERT INTO ${(0,history_table/* qualifiedName */.O)(tracking)} (version, name, checksum, status, applied_at, execution_ms, applied_by${keyColumn}) VALUES (${row.version}, ${literal(row.name)}, ${literal(row.checksum)}, ${literal(row.status)}, now(), ${executionMs}, ${literal(row.appliedBy)}${keyValue})`;
}

;// CONCATENATED MODULE: ./lib/history/version-key.js



/**
 * A migration whose version does not fit bigint (Flyway's `1.7`, popx's 20 digits) is recorded
 * under a stand-in version, with its exact version in `version_key`. The column is added, under the
 * migration lock and inside the first migration's transaction, only when such a row is about to be
 * written: a table that never holds one stays exactly as an earlier build created it. A table that
 * does not exist yet is created in the same transaction, by this role, so it may add the column.
 */
async function versionKeyColumnOf(client, tracking) {
    const table = (0,history_table/* qualifiedName */.O)(tracking);
    const { rows } = await client.query(`SELECT to_regclass($1) IS NOT NULL AS exists,
            EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1)
                      AND attname = 'version_key' AND NOT attisdropped) AS has,
            coalesce((SELECT pg_has_role(relowner, 'USAGE') FROM pg_class
                       WHERE oid = to_regclass($1)), true) AS owned`, [table]);
    const found = rows[0] ?? { exists: false, has: false, owned: true };
    if (found.has)
        return { sql: '', allowed: true };
    return {
        sql: `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS version_key text UNIQUE;`,
        allowed: !found.exists || found.owned,
    };
}
/**
 * The SQL that readies the tracking table for `rows` before they are written: the `version_key`
 * column when one of them has a key, else nothing (and no query). A role that does not own an
 * existing table cannot add it: one sentence with the statement its owner runs.
 */
async function versionKeySql(client, tracking, rows) {
    if (!rows.some((row) => row.key !== undefined))
        return '';
    const column = await versionKeyColumnOf(client, tracking);
    if (!column.allowed) {
        throw new ConfigurationError(`The tracking table ${tracking.schema}.${tracking.table} needs a version_key column to record versions that are not whole numbers of bigint size (such as 1.7), and this role does not own it: as its owner, run ${column.sql}`);
    }
    return column.sql;
}
/**
 * What a transaction that writes `rows` runs first: the tracking table when it does not exist yet
 * (with the grant checks of `createHistorySql`), and its `version_key` column when a row has a key.
 */
async function readyForRowsSql(client, tracking, exists, rows) {
    const create = exists ? '' : await createHistorySql(client, tracking);
    return create + (await versionKeySql(client, tracking, rows));
}

;// CONCATENATED MODULE: ./lib/plan/findings.js
/** Drift is a *modified* or *missing* migration: the only findings `on-drift: warn` softens. */
function isDrift(finding) {
    return finding.kind === 'modified' || finding.kind === 'missing';
}

;// CONCATENATED MODULE: ./lib/plan/plan.js
// The plan: which migrations are applied, pending or drifted, decided from files and history. Pure.


/**
 * Decides, from the files and the recorded history alone, what is applied, what is pending and
 * what is wrong. Pure: the same inputs always give the same plan, so the run can recompute it
 * after taking the lock and re-reading the history.
 */
function makePlan(discovery, history, options) {
    const findings = [...discovery.findings];
    // The layout's order (Flyway's parts, diesel's text), else plain numbers compared directly.
    const order = discovery.order ?? byVersion;
    const files = inOrder(discovery.migrations, order);
    const rows = inOrder(history, order);
    // A `rolled back` row is pending again: it does not count as recorded.
    const highestRecorded = rows.findLast((row) => row.status !== 'rolled back');
    const entries = [];
    const pending = [];
    // One merge of two lists in the layout's order: thousands of migrations cost no lookups or
    // sorts. Equal in that order is one version: a file matches its row by the exact key.
    let f = 0;
    let r = 0;
    while (f < files.length || r < rows.length) {
        const file = files[f];
        const row = rows[r];
        const previous = f > 0 ? files[f - 1] : undefined;
        const compared = row && file ? order(row, file) : 0;
        if (file && previous && order(previous, file) === 0) {
            f++; // a duplicate version, already a finding: the first file stands for it
        }
        else if (row && (!file || compared <= 0)) {
            const match = file && compared === 0 ? file : undefined;
            if (row.status === 'rolled back' && match) {
                // Rolled back: pending again, and applying it replaces its row.
                const entry = pendingEntry(match, highestRecorded, options, findings, order);
                entries.push({ ...entry, note: entry.note ?? 'rolled back earlier' });
                pending.push(match);
                r++;
                f++;
                continue;
            }
            entries.push(recordedEntry(row, match, options, findings));
            r++;
            if (match)
                f++;
        }
        else if (file) {
            entries.push(pendingEntry(file, highestRecorded, options, findings, order));
            pending.push(file);
            f++;
        }
    }
    return {
        entries,
        findings,
        pending,
        stops: findings.some((finding) => finding.stops),
        drift: findings.some(isDrift),
    };
}
/** The list itself when already in order (as read), else a sorted copy. */
function inOrder(list, order) {
    for (let i = 1; i < list.length; i++) {
        if (order(list[i - 1], list[i]) > 0)
            return [...list].sort(order);
    }
    return list;
}
/** A version as sentences show it: the file's own label, a row's exact key, else the number. */
function shownVersion(item) {
    return item.label ?? keyOf(item);
}
function pendingEntry(migration, highestRecorded, options, findings, order) {
    const entry = {
        version: migration.version,
        ...(migration.key !== undefined && { key: migration.key }),
        name: migration.name,
        status: 'pending',
        checksum: migration.checksum,
        migration,
    };
    if (highestRecorded !== undefined &&
        order(migration, highestRecorded) < 0 &&
        !options.allowOutOfOrder) {
        const highest = keyOf(highestRecorded);
        entry.status = 'out of order';
        entry.note = `lower than the highest recorded version ${highest}`;
        findings.push({
            kind: 'out-of-order',
            version: migration.version,
            file: migration.name,
            message: `${migration.name} is pending but its version is lower than the highest recorded version ${highest}: give it a higher version, or set allow-out-of-order: true.`,
            stops: true,
        });
    }
    if (migration.noTransaction && options.transaction === 'all') {
        findings.push({
            kind: 'no-transaction-in-all',
            version: migration.version,
            file: migration.name,
            message: `${migration.name} is marked -- migrate:no-transaction, which cannot run with transaction: all; use transaction: per-migration.`,
            stops: true,
        });
    }
    return entry;
}
function recordedEntry(row, migration, options, findings) {
    const driftStops = options.onDrift === 'fail';
    const key = row.key ?? migration?.key;
    const base = { version: row.version, ...(key !== undefined && { key }), row, migration };
    if (row.status === 'rolled back') {
        // Rolled back and its file gone: nothing is applied, so nothing has drifted.
        return { ...base, name: row.name, status: 'rolled back', checksum: row.checksum };
    }
    if (row.status === 'running' && options.runningIsLive) {
        const name = migration?.name ?? row.name;
        const note = 'being applied by another run (no-transaction)';
        return { ...base, name, status: 'pending', checksum: row.checksum, note };
    }
    if (row.status === 'failed' || row.status === 'running') {
        const how = row.status === 'failed'
            ? 'failed part-way'
            : 'was interrupted part-way (its run ended while it was running)';
        findings.push({
            kind: 'failed',
            version: row.version,
            file: row.name,
            message: `${row.name} ${how}, so the database may be half-changed: check the database, then run the action with command: repair.`,
            stops: true,
        });
        return { ...base, name: row.name, status: 'failed', checksum: row.checksum, note: how };
    }
    if (!migration) {
        findings.push({
            kind: 'missing',
            version: row.version,
            file: row.name,
            recordedChecksum: row.checksum,
            message: `${row.name} was applied but its file is missing: restore the file.`,
            stops: driftStops,
        });
        return { ...base, name: row.name, status: 'missing', checksum: row.checksum };
    }
    if (migration.checksum !== row.checksum) {
        findings.push({
            kind: 'modified',
            version: row.version,
            file: migration.name,
            recordedChecksum: row.checksum,
            currentChecksum: migration.checksum,
            message: `${migration.name} was changed after it was applied (recorded checksum ${row.checksum.slice(0, 12)}, now ${migration.checksum.slice(0, 12)}): restore the applied content and put the change in a new migration, or run command: repair if the edit is harmless.`,
            stops: driftStops,
        });
        return { ...base, name: migration.name, status: 'modified', checksum: migration.checksum };
    }
    const status = row.status === 'baseline' ? 'baseline' : 'already applied';
    return { ...base, name: migration.name, status, checksum: migration.checksum };
}
/**
 * How many of the folder's migrations the history says were applied, for "Up to date: N
 * migrations applied": rows recorded `applied` whose file is still there. A `baseline` row marks a
 * version as done without running it, and a row whose file is missing is no migration of this
 * folder; neither counts.
 */
function appliedCount(entries) {
    let applied = 0;
    let baseline = 0;
    for (const entry of entries) {
        if (entry.status === 'missing')
            continue;
        if (entry.row?.status === 'applied')
            applied++;
        else if (entry.row?.status === 'baseline')
            baseline++;
    }
    return { applied, baseline };
}
/** The plan with more findings (from parsing the pending files), `stops` recomputed. */
function withFindings(plan, findings) {
    if (findings.length === 0)
        return plan;
    const all = [...plan.findings, ...findings];
    return { ...plan, findings: all, stops: all.some((f) => f.stops) };
}
/** The `result` output of a run that stopped on its findings. */
function resultOfStoppedPlan(plan) {
    return plan.findings.some((f) => f.stops && isDrift(f)) ? 'drift' : 'failed';
}

// EXTERNAL MODULE: ./lib/report/model.js
var model = __nccwpck_require__(5747);
;// CONCATENATED MODULE: ./lib/runner/applied-by.js
// Who applied a migration, for the tracking row: on Actions the repository, run and commit.
function appliedBy(env = process.env) {
    if (env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID) {
        const attempt = env.GITHUB_RUN_ATTEMPT ? `/${env.GITHUB_RUN_ATTEMPT}` : '';
        const sha = env.GITHUB_SHA ? ` at ${env.GITHUB_SHA.slice(0, 12)}` : '';
        return `${env.GITHUB_REPOSITORY} run ${env.GITHUB_RUN_ID}${attempt}${sha}`;
    }
    return `agoat/migrate-action by ${env.USER ?? 'unknown user'} outside GitHub Actions`;
}

;// CONCATENATED MODULE: external "node:timers/promises"
const promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:timers/promises");
;// CONCATENATED MODULE: ./lib/history/lock.js
// The migration lock: a session advisory lock per tracking table, polled, and the pooler checks around it.




/**
 * The advisory lock key of one tracking table: the first 8 bytes of a SHA-256, as a signed
 * bigint, so that two tracking tables in one database never share a lock.
 */
function lockKey(tracking) {
    const digest = (0,external_node_crypto_.createHash)('sha256')
        .update(`agoat/migrate-action:${(0,history_table/* qualifiedName */.O)(tracking)}`)
        .digest();
    return digest.readBigInt64BE(0);
}
/** pg_locks shows a bigint advisory key as classid (high 32 bits) and objid (low 32 bits). */
function lockIds(key) {
    const unsigned = BigInt.asUintN(64, key);
    return { classid: String(unsigned >> 32n), objid: String(unsigned & 0xffffffffn) };
}
const POOLER_MESSAGE = 'The database URL does not give one server session (a transaction-mode pooler such as PgBouncer or Supavisor hands statements to different backends), so the migration lock would protect nothing: use a direct connection URL to the PostgreSQL server for migrations.';
/**
 * Best-effort detection of a transaction-mode pooler before any lock is taken (a session lock
 * taken through one would leak on a backend the run cannot reach again): the backend pid must be
 * the same across several transactions.
 */
async function assertOneSession(client) {
    const pids = new Set();
    // Two here and a third with the lock itself.
    for (let i = 0; i < 2; i++) {
        const { rows } = await client.query('SELECT pg_backend_pid() AS pid');
        pids.add(rows[0]?.pid ?? -1);
    }
    if (pids.size !== 1)
        throw new ConfigurationError(POOLER_MESSAGE);
    return [...pids][0] ?? -1;
}
/**
 * SQL that fails the transaction it runs in unless this backend holds the migration lock: sent
 * at the start of each migration, so a session that lost its lock (a pooler moved it) never
 * applies anything unprotected.
 */
function lockHeldCheckSql(key) {
    const { classid, objid } = lockIds(key);
    return `DO $lock_check$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid() AND classid = ${classid} AND objid = ${objid} AND objsubid = 1) THEN RAISE EXCEPTION '${LOCK_LOST}'; END IF; END$lock_check$;`;
}
/** The message of the exception raised by lockHeldCheckSql. */
const LOCK_LOST = 'agoat/migrate-action: migration lock not held by this session';
/** Whether any session holds the migration lock of this tracking table now. */
async function isLockHeld(client, tracking) {
    const { classid, objid } = lockIds(lockKey(tracking));
    const { rows } = await client.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND classid = ${classid} AND objid = ${objid}`);
    return rows.length > 0;
}
/** Who holds the lock, for the waiting message: application, client address, for how long. */
async function describeHolder(client, key) {
    const { classid, objid } = lockIds(key);
    const { rows } = await client.query(`SELECT a.pid, a.application_name, host(a.client_addr) AS client_addr,
            round(extract(epoch FROM now() - a.backend_start))::int AS seconds
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
        AND l.classid = $1::bigint::oid AND l.objid = $2::bigint::oid`, [classid, objid]);
    const holder = rows[0];
    if (!holder)
        return 'a session that has just let go';
    const app = holder.application_name || 'an unnamed application';
    const from = holder.client_addr ? ` from ${holder.client_addr}` : '';
    return `${app} (pid ${holder.pid}${from}, connected ${holder.seconds ?? '?'} s ago)`;
}
/**
 * Takes the session-level migration lock, polling `pg_try_advisory_lock` with no transaction
 * open between polls. Blocking inside `pg_advisory_lock` instead would deadlock with a
 * `CREATE INDEX CONCURRENTLY` run by the holder, which waits for every open transaction.
 */
async function acquireLock(client, tracking, waitSeconds, log, signal) {
    const pid = await assertOneSession(client);
    const key = lockKey(tracking);
    const started = Date.now();
    let lastReport = 0;
    let pause = 100;
    for (;;) {
        const { rows } = await client.query('SELECT pg_try_advisory_lock($1::bigint) AS locked, pg_backend_pid() AS pid', [String(key)]);
        if (rows[0]?.pid !== pid)
            throw new ConfigurationError(POOLER_MESSAGE);
        if (rows[0]?.locked)
            return key;
        if (signal?.aborted) {
            throw new Error('The job was cancelled while waiting for the migration lock: nothing was applied.');
        }
        const waited = Date.now() - started;
        if (waited >= waitSeconds * 1000) {
            const holder = await describeHolder(client, key);
            throw new ConfigurationError(`Another run held the migration lock for ${(0,history_table/* qualifiedName */.O)(tracking)} for more than ${waitSeconds} s (held by ${holder}): nothing was applied; wait for that run to finish or raise lock-wait-timeout.`);
        }
        if (waited - lastReport >= 5000 || lastReport === 0) {
            lastReport = Math.max(waited, 1);
            log(`Waiting for the migration lock, held by ${await describeHolder(client, key)} (${Math.round(waited / 1000)} s of ${waitSeconds} s).`);
        }
        await (0,promises_namespaceObject.setTimeout)(Math.min(pause, waitSeconds * 1000 - waited));
        pause = Math.min(pause * 2, 1000);
    }
}
/**
 * Tries the migration lock once, for a rehearsal, which must never wait behind a deploy: the key
 * when it was free, else a description of the holder.
 */
async function tryLockOnce(client, tracking) {
    await assertOneSession(client);
    const key = lockKey(tracking);
    const { rows } = await client.query('SELECT pg_try_advisory_lock($1::bigint) AS locked', [String(key)]);
    return rows[0]?.locked ? { key } : { holder: await describeHolder(client, key) };
}
/** Releases the lock; false means this session did not hold it (a pooler moved the session). */
async function releaseLock(client, key) {
    const { rows } = await client.query('SELECT pg_advisory_unlock($1::bigint) AS unlocked', [String(key)]);
    return rows[0]?.unlocked === true;
}

// EXTERNAL MODULE: ./lib/files/stream.js
var stream = __nccwpck_require__(2783);
// EXTERNAL MODULE: ./lib/review/allow.js
var allow = __nccwpck_require__(8177);
// EXTERNAL MODULE: ./lib/sql/splitter.js
var sql_splitter = __nccwpck_require__(773);
;// CONCATENATED MODULE: ./lib/plan/allowances.js



/**
 * The allow lines of a pending file and the findings for the malformed or misplaced ones, which
 * stop the run like any other mistake in a file: an acknowledgement that silently applies to
 * nothing would hide the risk it was written for. Large files (data migrations) are not read for
 * them.
 */
function checkAllowances(migration) {
    if ((0,stream/* isLarge */.sV)(migration) || !migration.sql.includes('migrate:allow'))
        return { findings: [] };
    const statementLines = (0,sql_splitter/* splitSql */.b)(migration.sql).map((s) => s.line);
    const parsed = (0,allow/* parseAllowances */.BR)(migration.sql, statementLines);
    const findings = parsed.errors.map((error) => ({
        kind: 'directive',
        version: migration.version,
        file: migration.name,
        line: error.line,
        message: `${migration.name} ${error.message}`,
        stops: true,
    }));
    return { allowances: { statementLines, parsed }, findings };
}

// EXTERNAL MODULE: ./lib/sql/parser.js
var parser = __nccwpck_require__(9745);
;// CONCATENATED MODULE: ./lib/sql/mentions.js

/**
 * A quick test for text that may name `table` (its name, any case, anywhere): only statements it
 * finds are read token by token. The name is a plain identifier (see runner/inputs.ts).
 */
function nameSearch(table) {
    return new RegExp(table, 'gi');
}
/** An identifier token's name as PostgreSQL resolves it: unquoted folded to lower case. */
function identifierName(token) {
    if (token.length > 1 && token.startsWith('"') && token.endsWith('"')) {
        return token.slice(1, -1).replaceAll('""', '"');
    }
    if (/^[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*$/.test(token)) {
        return token.replace(/[A-Z]+/g, (m) => m.toLowerCase());
    }
    return undefined;
}
/**
 * Where in `statement` (a string index) it names the tracking table, or undefined. A name counts
 * when it is an identifier token (not inside a string, dollar quote or comment) equal to the table
 * name as PostgreSQL resolves it, and it is qualified by the tracking schema (`ops.schema_migrations`,
 * `"ops"."schema_migrations"`), or unqualified while the tracking schema is `public`, which an
 * unqualified name reaches through the default search_path. So `schema_migrations_count`,
 * `'schema_migrations'` and `other.schema_migrations` do not count; a column of another table named
 * exactly like the tracking table does (a false alarm, and a rare one).
 */
async function trackingTableMention(statement, tracking) {
    const tokens = await (0,parser/* sqlTokens */.Dl)(statement);
    for (let i = 0; i < tokens.length; i++) {
        const token = tokens[i];
        if (!token || identifierName(token.text) !== tracking.table)
            continue;
        const dot = tokens[i - 1];
        const qualifier = dot?.text === '.' ? tokens[i - 2] : undefined;
        const schema = qualifier ? identifierName(qualifier.text) : undefined;
        if (qualifier ? schema === tracking.schema : tracking.schema === 'public')
            return token.index;
    }
    return undefined;
}

// EXTERNAL MODULE: ./lib/sql/lines.js
var lines = __nccwpck_require__(8439);
// EXTERNAL MODULE: ./lib/files/down.js
var files_down = __nccwpck_require__(9563);
;// CONCATENATED MODULE: ./lib/files/directives.js
// The `-- migrate:` directives in a file's header. Pure: never reads a file.


const DIRECTIVE_LINE = /^[ \t]*--[ \t]*migrate:.*$/gm;
const KNOWN_DIRECTIVE = '-- migrate:no-transaction';
/** dbmate's `-- migrate:up`: accepted before the first statement, and means nothing more. */
const UP_DIRECTIVE = '-- migrate:up';
const ALLOW_DIRECTIVE = /^[ \t]*--[ \t]*migrate:allow(?=[ \t]|$)/;
/**
 * Finds the directives of a file: lines that are exactly `-- migrate:<word>` before the first
 * statement. Any other `-- migrate:` line is an error, so that a mistyped `-- migrate:down`
 * section is never run as part of the file.
 */
function readDirectives(sql, fileName, 
/** For a part of a file: the line it starts on, and whether the file's header may reach into it. */
part = { firstLine: 1, header: true }) {
    const findings = [];
    let noTransaction = false;
    const headerEnd = part.header ? endOfHeader(sql) : 0;
    for (const match of sql.matchAll(DIRECTIVE_LINE)) {
        const text = match[0].trimEnd();
        // `-- migrate:allow <rule> <reason>` acknowledges a finding of the safety review: the
        // pre-flight check of a pending file reads those lines (plan/checks.ts).
        if (ALLOW_DIRECTIVE.test(text))
            continue;
        const line = part.firstLine - 1 + (0,lines/* lineAt */.mh)(sql, match.index);
        if (text === KNOWN_DIRECTIVE && match.index < headerEnd) {
            noTransaction = true;
            continue;
        }
        if (text === UP_DIRECTIVE && match.index < headerEnd)
            continue;
        const why = text === KNOWN_DIRECTIVE
            ? 'must come before the first statement'
            : 'is not a directive this action knows (the directives are -- migrate:no-transaction, -- migrate:allow <rule> <reason>, -- migrate:up and one -- migrate:down line that starts the down section)';
        findings.push({
            kind: 'directive',
            file: fileName,
            line,
            message: `${fileName} line ${line}: "${text.trim()}" ${why}; remove or fix the line.`,
            stops: true,
        });
    }
    return { noTransaction, findings };
}
/**
 * readDirectives for a file read in chunks (a large file is never held whole): the chunks are cut
 * at line ends, and the header is the part before the first statement of the first of them.
 * `down` says whether the file has a `-- migrate:down` line (its caller then cuts the file).
 */
async function readDirectivesInChunks(chunks, fileName) {
    const all = { noTransaction: false, findings: [], down: false };
    let carry = '';
    let firstLine = 1;
    let header = true;
    const read = (block) => {
        if (block.length === 0)
            return;
        const found = readDirectives(block, fileName, { firstLine, header });
        all.noTransaction ||= found.noTransaction;
        all.findings.push(...found.findings);
        all.down ||= (0,files_down/* findDownSection */.z)(block) !== undefined;
        header = false;
        for (let i = block.indexOf('\n'); i !== -1; i = block.indexOf('\n', i + 1))
            firstLine++;
    };
    for await (const chunk of chunks) {
        const text = carry + chunk;
        const cut = text.lastIndexOf('\n') + 1;
        read(text.slice(0, cut));
        carry = text.slice(cut);
    }
    read(carry);
    return all;
}
/**
 * Index where the first statement starts: after blanks, `--` comments and (nested) block comments.
 */
function endOfHeader(sql) {
    let i = 0;
    while (i < sql.length) {
        const c = sql[i];
        if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
            i++;
        }
        else if (sql.startsWith('--', i)) {
            const eol = sql.indexOf('\n', i);
            i = eol === -1 ? sql.length : eol + 1;
        }
        else if (sql.startsWith('/*', i)) {
            // Block comments nest in PostgreSQL.
            let depth = 0;
            do {
                if (sql.startsWith('/*', i)) {
                    depth++;
                    i += 2;
                }
                else if (sql.startsWith('*/', i)) {
                    depth--;
                    i += 2;
                }
                else
                    i++;
            } while (depth > 0 && i < sql.length);
        }
        else {
            return i;
        }
    }
    return sql.length;
}
const TOOL_MARKER = /^[ \t]*--[ \t]*\+(goose|migrate)\b[^\n]*$/gm;
/**
 * The lines of `text` that are goose's or sql-migrate's markers. Both tools read such a line
 * wherever it is, so this does too. This action gives them no meaning yet: run as plain SQL, a
 * `-- +goose Down` section would be applied with the migration it is meant to undo.
 */
function toolMarkers(text) {
    const markers = [];
    for (const match of text.matchAll(TOOL_MARKER)) {
        const written = match[0].trim();
        markers.push({
            text: written,
            tool: match[1] === 'goose' ? 'goose' : 'sql-migrate',
            down: /^--[ \t]*\+(goose|migrate)[ \t]+down\b/i.test(written),
            index: match.index,
        });
    }
    return markers;
}

// EXTERNAL MODULE: ./lib/sql/statement-kinds.js
var statement_kinds = __nccwpck_require__(7071);
;// CONCATENATED MODULE: ./lib/plan/preflight.js
// One pass over a pending file's text that collects what the pre-flight check judges: statement kinds, what is left open, psql's commands, other tools' markers, mentions of the tracking table. Never the database.





/**
 * The text kept of a statement whose name search found something; a longer statement counts as
 * naming the table (there is no other way to read a 1 MiB statement without holding it).
 */
const KEEP = 1024 * 1024;
/**
 * Reads a file's text once, in chunks (a whole small file is one chunk; a large file is streamed
 * and never held: the pass keeps only the statement in progress, at most KEEP characters of it).
 */
async function factsOf(chunks, table) {
    const facts = { controls: [], markers: [], candidates: [] };
    const splitter = new sql_splitter/* StatementSplitter */.V();
    const search = nameSearch(table);
    const hits = [];
    let seam = ''; // the end of the previous chunk, for a name cut in two
    // The text of the statement in progress (and the chunk being read), at most KEEP of it.
    const window = new stream/* TextWindow */.qP();
    let total = 0; // index of the next chunk's first character
    const lines = new Lines();
    const take = (statements) => {
        for (const s of statements) {
            const keyword = (0,statement_kinds/* transactionControlOf */.vp)(s.keyword);
            if (keyword)
                facts.controls.push({ keyword, line: s.line });
            if (s.keyword === 'COPY FROM STDIN')
                facts.copyFromStdin ??= s.line;
            while (hits.length > 0 && hits[0] < s.start)
                hits.shift();
            if (hits.length > 0 && hits[0] < s.end) {
                const kept = s.start >= window.start;
                facts.candidates.push({
                    line: s.line,
                    text: kept ? window.slice(s.start, s.end) : undefined,
                });
                while (hits.length > 0 && hits[0] < s.end)
                    hits.shift();
            }
        }
        const last = statements.at(-1);
        if (last)
            window.dropBefore(last.end);
    };
    for await (const chunk of chunks) {
        // The name cut between the previous chunk and this one, then the name within this one
        // (searched apart: joining them would copy every chunk).
        const across = seam + chunk.slice(0, table.length - 1);
        search.lastIndex = 0;
        for (let m = search.exec(across); m; m = search.exec(across)) {
            if (m.index < seam.length && m.index + table.length > seam.length) {
                hits.push(total - seam.length + m.index);
            }
        }
        search.lastIndex = 0;
        for (let m = search.exec(chunk); m; m = search.exec(chunk))
            hits.push(total + m.index);
        const keep = table.length - 1;
        seam =
            keep === 0 ? '' : chunk.length >= keep ? chunk.slice(-keep) : (seam + chunk).slice(-keep);
        lines.take(chunk, facts.markers);
        window.push(chunk);
        const statements = splitter.push(chunk);
        total += chunk.length;
        if (splitter.metaCommand && !facts.metaCommand) {
            const at = splitter.metaCommand.start;
            const text = at >= window.start ? window.slice(at, Math.min(at + 32, total)) : '';
            facts.metaCommand = { ...splitter.metaCommand, command: /^\\[A-Za-z!?.]*/.exec(text)?.[0] };
        }
        take(statements);
        if (window.length > KEEP)
            window.clear();
    }
    take(splitter.end());
    lines.end(facts.markers);
    facts.unterminated = splitter.unterminated;
    return facts;
}
/** Finds marker lines across chunks: a line cut between two chunks is read whole. */
class Lines {
    carry = '';
    line = 1;
    /** Inside a line too long to be a marker, whose start was dropped. */
    midLine = false;
    take(chunk, out) {
        let text = this.carry + chunk;
        if (this.midLine) {
            const next = text.indexOf('\n') + 1;
            if (next === 0)
                return;
            text = text.slice(next);
            this.line++;
            this.midLine = false;
        }
        const cut = text.lastIndexOf('\n') + 1;
        this.scan(text.slice(0, cut), out);
        this.carry = text.slice(cut);
        // A marker is a short line: the start of a long one (a data line, a whole file on one line)
        // need not be kept.
        if (this.carry.length > 4096) {
            this.carry = '';
            this.midLine = true;
        }
    }
    end(out) {
        if (!this.midLine)
            this.scan(this.carry, out);
        this.carry = '';
    }
    scan(block, out) {
        if (block.length === 0)
            return;
        let counted = 0;
        let line = this.line;
        // Most blocks hold no marker: the regular expression skips them without counting lines.
        if (block.includes('+goose') || block.includes('+migrate')) {
            for (const marker of toolMarkers(block)) {
                line += newlines(block, counted, marker.index);
                counted = marker.index;
                out.push({ text: marker.text, tool: marker.tool, down: marker.down, line });
            }
        }
        this.line = line + newlines(block, counted, block.length);
    }
}
function newlines(text, from, to) {
    let n = 0;
    for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1))
        n++;
    return n;
}

;// CONCATENATED MODULE: ./lib/plan/checks.js




/**
 * The largest `no-transaction` file given to PostgreSQL's parser, which holds the whole syntax
 * tree as JSON (20 MB of SQL took 1.2 GB and 25 s; 50 MB aborted V8). A larger file is split by
 * the streaming splitter, which agrees with the parser on every input its tests try, in constant
 * memory; its statements are then checked by the server one by one as they run.
 */
const PARSER_LIMIT = 1024 * 1024;
/**
 * Checks a pending file before anything runs, in one pass over its text (streamed for a large
 * file): top-level transaction control (PostgreSQL really does commit a `COMMIT` inside the
 * action's transaction, leaving a change without its tracking row), a string, identifier, dollar
 * quote or comment left open at the end, psql's `COPY \u2026 FROM stdin` data and meta-commands,
 * goose's and sql-migrate's markers, and a statement that names the tracking table. A
 * `no-transaction` file is then split by PostgreSQL's parser and must parse. Only pending files
 * are read, so a run with nothing to do never reads a file's text.
 */
async function checkFile(migration, tracking) {
    const chunks = (0,stream/* isLarge */.sV)(migration) ? (0,stream/* textChunks */.w7)(migration.path) : [migration.sql];
    const facts = await factsOf(chunks, tracking.table);
    const findings = await findingsOf(migration, facts, tracking);
    if (!migration.noTransaction || findings.length > 0)
        return { findings };
    if ((migration.size ?? migration.sql.length) > PARSER_LIMIT)
        return { findings };
    const analysis = await (0,parser/* analyzeSql */.Tp)(migration.sql);
    // A file run statement by statement must be split exactly; one the parser rejects cannot be.
    if (analysis.parseError) {
        const { line, message } = analysis.parseError;
        findings.push(finding(migration, 'unreadable', line, `${message}; a -- migrate:no-transaction file must parse before any of it runs.`));
    }
    return { findings, statements: analysis.statements };
}
const OPEN = {
    'quoted string': 'a quoted string',
    'quoted identifier': 'a quoted identifier',
    'dollar-quoted string': 'a dollar-quoted string',
    '/* comment': 'a /* comment',
};
async function findingsOf(migration, facts, tracking) {
    const findings = [];
    // After `COPY \u2026 FROM stdin` come psql's data lines: nothing after it is SQL, so nothing after
    // it is judged as SQL (a data line `commit;` is no COMMIT).
    const copy = facts.copyFromStdin;
    const before = (line) => copy === undefined || line <= copy;
    if (copy !== undefined) {
        findings.push(finding(migration, 'psql', copy, '`COPY \u2026 FROM stdin` needs psql to send the data lines that follow it; use INSERT, or COPY \u2026 FROM a file on the database server.'));
    }
    const meta = facts.metaCommand;
    if (meta && before(meta.line)) {
        const what = meta.command && meta.command !== '\\'
            ? `${meta.command} is a psql meta-command, not SQL, and the action sends the file to the server as SQL; write the SQL it stands for instead.`
            : "a backslash outside a string is not SQL (psql meta-commands such as \\i are not SQL either); remove it, or write the string as E'...' if it holds an escape.";
        findings.push(finding(migration, 'psql', meta.line, what));
    }
    const open = facts.unterminated;
    if (open && before(open.line)) {
        findings.push(finding(migration, 'unterminated', open.line, `${OPEN[open.kind] ?? open.kind} is not closed; close it, or the server reads the rest of the file into it.`));
    }
    for (const control of facts.controls) {
        if (!before(control.line))
            continue;
        findings.push(finding(migration, 'transaction-control', control.line, `${control.keyword} is not allowed in a migration, because the action owns the transaction and the session; remove it (use -- migrate:no-transaction for statements that cannot run in a transaction).`));
    }
    for (const marker of facts.markers) {
        if (marker.tool === migration.layout)
            continue; // its own layout reads it
        const what = marker.down
            ? `"${marker.text}" starts ${marker.tool}'s down section, which this action would run as part of the migration; move the down SQL out of the file and remove the line.`
            : `"${marker.text}" is ${marker.tool}'s marker, which this action does not read; remove the line.`;
        findings.push(finding(migration, 'other-tool', marker.line, what));
    }
    const mention = await firstMention(facts, tracking, before);
    if (mention !== undefined) {
        findings.push(finding(migration, 'tracking-table', mention, `the migration names ${tracking.schema}.${tracking.table}, which is this action's tracking table; set table: to another name (for example ${tracking.table}_action) in every step, or rename the migration's table.`));
    }
    return findings.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}
/** The line where a pending file first names the tracking table (see sql/mentions.ts). */
async function firstMention(facts, tracking, before) {
    for (const candidate of facts.candidates) {
        if (!before(candidate.line))
            break;
        if (candidate.text === undefined)
            return candidate.line;
        const index = await trackingTableMention(candidate.text, tracking);
        if (index !== undefined)
            return candidate.line + newlinesBefore(candidate.text, index);
    }
    return undefined;
}
function newlinesBefore(text, index) {
    let n = 0;
    for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1))
        n++;
    return n;
}
function finding(migration, kind, line, what) {
    return {
        kind,
        version: migration.version,
        file: migration.name,
        line,
        message: `${migration.name} line ${line}: ${what}`,
        stops: true,
    };
}

;// CONCATENATED MODULE: ./lib/plan/target.js

/**
 * The plan cut at `to` (read in the folder's layout: `1.27`, `20240212120203`): pending migrations
 * above it in the layout's `order` stay `pending` with a note and are not applied. A version that
 * no file has is a finding that stops the run: a typo must not quietly apply everything, or
 * nothing.
 */
function limitToVersion(plan, files, to, order = byVersion) {
    if (!files.some((file) => order(file, to) === 0)) {
        const highest = files.reduce((max, f) => (max === undefined || order(f, max) > 0 ? f : max), undefined);
        const hint = highest === undefined
            ? 'there are no migration files'
            : `the highest is ${highest.label ?? highest.key ?? highest.version}`;
        return {
            ...plan,
            stops: true,
            findings: [
                ...plan.findings,
                {
                    kind: 'to-version',
                    version: to.version,
                    message: `to-version is ${to.label}, but no migration file has that version (${hint}): set to-version to the version of a file.`,
                    stops: true,
                },
            ],
        };
    }
    const later = new Set(plan.pending.filter((m) => order(m, to) > 0));
    if (later.size === 0)
        return plan;
    return {
        ...plan,
        pending: plan.pending.filter((m) => !later.has(m)),
        entries: plan.entries.map((entry) => entry.migration && later.has(entry.migration)
            ? { ...entry, status: 'pending', note: `above to-version ${to.label}` }
            : entry),
    };
}

;// CONCATENATED MODULE: ./lib/commands/context.js
// What every command gets, and the steps they share: the checked plan, the stopped report, the work under the lock.








/** `3 migrations applied` (and the versions a baseline covers): what the history holds. */
function appliedWords(plan) {
    const { applied, baseline } = appliedCount(plan.entries);
    const covered = baseline > 0 ? ` (and ${(0,model/* plural */.LS)(baseline, 'version')} covered by the baseline)` : '';
    return `${(0,model/* plural */.LS)(applied, 'migration')} applied${covered}`;
}
/** The report of a run that stopped on its findings before writing anything. */
function stoppedReport(context, plan) {
    const stopping = plan.findings.filter((f) => f.stops);
    const first = stopping[0]?.message ?? '';
    const others = stopping.length > 1 ? ` (and ${(0,model/* plural */.LS)(stopping.length - 1, 'more problem')})` : '';
    return report(context, plan, {
        result: resultOfStoppedPlan(plan),
        verdict: `Stopped before writing anything: ${first}${others}`,
    });
}
/**
 * The plan for the history read, with the findings of checking every pending file. A file is
 * checked once per run: the plan made under the lock reuses the checks of the first plan.
 */
async function planOf(context, rows, { underLock, checked }) {
    const { settings } = context;
    // A `running` row is a no-transaction migration in progress only while another run holds the
    // lock; otherwise its run was killed and it counts as failed.
    const runningIsLive = !underLock &&
        rows.some((row) => row.status === 'running') &&
        (await isLockHeld(context.db.client, context.tracking));
    const made = makePlan(context.discovery, rows, {
        onDrift: settings.onDrift,
        allowOutOfOrder: settings.allowOutOfOrder,
        transaction: settings.transaction,
        runningIsLive,
    });
    const to = settings.command === 'migrate' ? toVersionOf(context) : undefined;
    const plan = to
        ? limitToVersion(made, context.discovery.migrations, to, orderOf(context.discovery))
        : made;
    const checks = new Map();
    for (const migration of plan.pending) {
        let check = checked?.get(migration.version) ?? context.checked?.get(migration.version);
        if (!check) {
            const file = await checkFile(migration, context.tracking);
            const { allowances, findings } = checkAllowances(migration);
            check = { ...file, findings: [...file.findings, ...findings], allowances };
        }
        checks.set(migration.version, check);
    }
    const findings = [...checks.values()].flatMap((check) => check.findings);
    return { ...withFindings(plan, findings), checks };
}
/** The order of the folder's versions: its layout's (Flyway, popx, diesel), else by number. */
function orderOf(discovery) {
    return discovery.order ?? byVersion;
}
/** `to-version` read in the folder's layout (`1.27` for Flyway), or `fallback` when not set. */
function toVersionOf(context, fallback) {
    const text = context.settings.toVersion ?? fallback;
    if (text === undefined)
        return undefined;
    return readVersionInput(context.discovery.layout ?? 'plain', 'to-version', text);
}
/** A report of the plan as it stands, with the result and verdict given. */
function report(context, plan, fields) {
    return {
        command: context.settings.command,
        target: context.settings.target.label,
        dryRun: context.settings.dryRun,
        entries: plan.entries,
        findings: plan.findings,
        drift: plan.drift,
        changes: [],
        ...fields,
    };
}
/**
 * Runs `work` holding the migration lock, and releases it whatever happens. A lock this session
 * no longer holds at the end means statements went to other backends (a pooler): the run fails.
 */
async function underLock(context, work) {
    const { settings, db, tracking, log } = context;
    const key = await acquireLock(db.client, tracking, settings.lockWaitTimeoutSeconds, log, context.signal);
    let result;
    try {
        result = await work(key);
    }
    catch (error) {
        await releaseLock(db.client, key).catch(() => undefined);
        throw error;
    }
    if (!(await releaseLock(db.client, key))) {
        return { ...result, result: 'failed', verdict: `${POOLER_MESSAGE} ${result.verdict}` };
    }
    return result;
}

;// CONCATENATED MODULE: ./lib/commands/baseline.js
// command: baseline: records the migrations up to baseline-version as applied without running them.









/**
 * `baseline`: for a database that already has the schema, records every migration up to and
 * including `baseline-version` as `baseline` without running it. Only on a tracking table with
 * no rows, so it can never rewrite a history.
 */
async function baseline(context) {
    const { settings, discovery, db, tracking } = context;
    if (settings.baselineVersion === undefined) {
        throw new ConfigurationError('command: baseline needs baseline-version: the highest migration version the database already has, for example 3.');
    }
    const target = readVersionInput(discovery.layout ?? 'plain', 'baseline-version', settings.baselineVersion);
    const version = target.label;
    const order = orderOf(discovery);
    if (!discovery.migrations.some((m) => order(m, target) === 0)) {
        throw new ConfigurationError(`No migration file has version ${version}: set baseline-version to the version of one of the files in ${settings.migrationsDirForAnnotations}.`);
    }
    const history = await context.history;
    refuseIfRecorded(context, history.rows.length);
    const plan = makePlan(discovery, [], {
        onDrift: settings.onDrift,
        allowOutOfOrder: true,
        transaction: 'per-migration',
    });
    if (plan.stops)
        return stoppedReport(context, plan);
    const toRecord = plan.pending.filter((m) => order(m, target) <= 0);
    const upTo = (e) => order(e, target) <= 0;
    if (settings.dryRun) {
        return report(context, marked(plan, upTo, 'pending', 'would be recorded as baseline'), {
            result: 'pending',
            verdict: `Dry run: ${(0,model/* plural */.LS)(toRecord.length, 'migration')} up to version ${version} would be recorded as baseline; nothing was written.`,
        });
    }
    return underLock(context, async () => {
        const locked = await readHistory(db.client, tracking);
        refuseIfRecorded(context, locked.rows.length);
        const setup = await readyForRowsSql(db.client, tracking, locked.exists, toRecord);
        const by = appliedBy();
        const inserts = toRecord.map((m) => `${insertRowSql(tracking, { version: m.version, key: m.key, name: m.name, checksum: m.checksum, status: 'baseline', appliedBy: by }, '0')};`);
        await db.client.query(`BEGIN;${setup}${inserts.join('')}COMMIT;`);
        return {
            ...report(context, marked(plan, upTo, 'baseline'), {
                result: 'applied',
                verdict: `Recorded ${(0,model/* plural */.LS)(toRecord.length, 'migration')} up to version ${version} as baseline; a following migrate applies what comes after.`,
            }),
            changes: toRecord.map((m) => `recorded ${m.name} (version ${shownVersion(m)}) as baseline`),
        };
    });
}
function refuseIfRecorded(context, rows) {
    if (rows === 0)
        return;
    const { schema, table } = context.tracking;
    throw new ConfigurationError(`The tracking table ${schema}.${table} already has ${(0,model/* plural */.LS)(rows, 'row')}: baseline is only for a database this action has never migrated; run migrate instead.`);
}
/** The plan's entries with every version up to the baseline (`upTo`) given `status`. */
function marked(plan, upTo, status, note) {
    const entries = plan.entries.map((e) => (upTo(e) ? { ...e, status, note } : e));
    return { ...plan, entries };
}

// EXTERNAL MODULE: ./node_modules/pg/lib/index.js
var lib = __nccwpck_require__(3273);
;// CONCATENATED MODULE: ./node_modules/pg/esm/index.mjs
// ESM wrapper for pg


// Re-export all the properties
const Client = lib.Client
const Pool = lib.Pool
const Connection = lib.Connection
const types = lib.types
const Query = lib.Query
const DatabaseError = lib.DatabaseError
const escapeIdentifier = lib.escapeIdentifier
const escapeLiteral = lib.escapeLiteral
const Result = lib.Result
const TypeOverrides = lib.TypeOverrides

// Also export the defaults
const defaults = lib.defaults

// Re-export the default
/* harmony default export */ const esm = (lib);

;// CONCATENATED MODULE: ./lib/db/cancel.js
/**
 * Asks the server to cancel whatever the connection is running (the job was cancelled), with
 * the protocol's CancelRequest on a connection of its own, as psql does on Ctrl-C.
 */
async function cancelRunning(target, client) {
    const { processID, secretKey } = client;
    if (processID == null || secretKey == null)
        return;
    const { connect: open } = await Promise.resolve(/* import() */).then(__nccwpck_require__.t.bind(__nccwpck_require__, 7030, 19));
    const message = Buffer.alloc(16);
    message.writeInt32BE(16, 0);
    message.writeInt32BE(80877102, 4);
    message.writeInt32BE(processID, 8);
    message.writeInt32BE(secretKey, 12);
    await new Promise((resolve) => {
        // A host that is a folder means a Unix-domain socket, as in libpq.
        const where = target.host.startsWith('/')
            ? { path: `${target.host}/.s.PGSQL.${target.port}` }
            : { host: target.host, port: target.port };
        const socket = open(where, () => socket.end(message));
        socket.setTimeout(5000, () => socket.destroy());
        socket.on('close', () => resolve());
        socket.on('error', () => resolve());
    });
}

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
;// CONCATENATED MODULE: external "node:os"
const external_node_os_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
;// CONCATENATED MODULE: ./lib/db/tls.js
// TLS as libpq does it: sslmode's attempts, root certificates, and which failures are the handshake's.




// node-pg's words when the server answers the SSLRequest with 'N'.
const NO_SSL = 'The server does not support SSL connections';
/** libpq's root certificate when the URL names none. */
const DEFAULT_ROOT_CERT = external_node_path_.join((0,external_node_os_namespaceObject.homedir)(), '.postgresql', 'root.crt');
/** What the messages call the root certificates in use. */
function rootsName(target) {
    if (target.sslRootCert === 'system')
        return "the system's trusted roots";
    if (target.sslRootCert)
        return `sslrootcert (${target.sslRootCert})`;
    return `${DEFAULT_ROOT_CERT} (libpq's default sslrootcert)`;
}
/** Reads a file named by a URL parameter; a missing or unreadable file is one sentence. */
function readParameterFile(file, parameter) {
    try {
        return (0,external_node_fs_.readFileSync)(file, 'utf8');
    }
    catch (error) {
        const code = error.code;
        const problem = code === 'ENOENT'
            ? 'does not exist'
            : code === 'EACCES'
                ? 'is not readable'
                : code === 'EISDIR'
                    ? 'is a folder'
                    : `cannot be read (${messageOf(error)})`;
        throw new ConfigurationError(`The file ${file} named by ${parameter} in the database URL ${problem} on the runner: write it there in an earlier step, or fix ${parameter}.`);
    }
}
/** node:tls, loaded only when a TLS option needs it: most runs never load it at all. */
function tlsModule() {
    return process.getBuiltinModule('node:tls');
}
/**
 * The root certificates, as libpq finds them: `sslrootcert`, `system` for the system's trusted
 * roots, else ~/.postgresql/root.crt when it exists; undefined when there are none.
 */
function rootCertificates(target) {
    if (target.sslRootCert === 'system') {
        const system = tlsModule().getCACertificates('system');
        return system.length > 0 ? system : tlsModule().getCACertificates('default');
    }
    if (target.sslRootCert)
        return readParameterFile(target.sslRootCert, 'sslrootcert');
    if ((0,external_node_fs_.existsSync)(DEFAULT_ROOT_CERT))
        return readParameterFile(DEFAULT_ROOT_CERT, 'sslrootcert');
    return undefined;
}
/**
 * node-pg's TLS options for an encrypted attempt, with libpq's meaning of `sslmode` (node-pg
 * alone treats `require` as verify-full): `allow`, `prefer` and `require` encrypt without
 * checking the certificate, unless there are root certificates, which are then checked (not the
 * host name) as libpq does; `verify-ca` checks that a trusted CA signed the certificate;
 * `verify-full` also that the certificate names the host of the URL.
 */
function tlsOptions(target) {
    const ca = rootCertificates(target);
    const cert = target.sslCert ? readParameterFile(target.sslCert, 'sslcert') : undefined;
    const key = target.sslKey ? readParameterFile(target.sslKey, 'sslkey') : undefined;
    const verifying = target.sslMode === 'verify-ca' || target.sslMode === 'verify-full';
    if (verifying && !ca) {
        throw new ConfigurationError(`sslmode=${target.sslMode} verifies the server's certificate, but the database URL names no sslrootcert and ${DEFAULT_ROOT_CERT} does not exist: add sslrootcert=/path/to/ca.pem (the CA that signed the server's certificate${target.sslMode === 'verify-full' ? ', or sslrootcert=system for a publicly trusted one' : ''}), or use sslmode=require to encrypt without verifying it.`);
    }
    if (!ca)
        return { cert, key, rejectUnauthorized: false };
    if (target.sslMode === 'verify-full') {
        // The host of the URL, also when it is an IP address (node-pg sends no SNI for those).
        return {
            ca,
            cert,
            key,
            rejectUnauthorized: true,
            checkServerIdentity: (_name, certificate) => tlsModule().checkServerIdentity(target.host, certificate),
        };
    }
    return { ca, cert, key, rejectUnauthorized: true, checkServerIdentity: () => undefined };
}
/**
 * The TLS options of each connection attempt of one try, in order, as libpq makes them:
 * `disable` plain; `allow` plain, then encrypted; `prefer` encrypted, then plain; the others
 * encrypted only. libpq never uses TLS on a Unix-domain socket. Certificate files are read here,
 * so that a wrong path is reported even when the plain attempt would work.
 */
function attemptsFor(target) {
    if (target.host.startsWith('/') || target.sslMode === 'disable')
        return [false];
    const encrypted = tlsOptions(target);
    if (target.sslMode === 'allow')
        return [false, encrypted];
    if (target.sslMode === 'prefer')
        return [encrypted, false];
    return [encrypted];
}
/** Whether pg_hba.conf refused the connection for its (lack of) encryption, and which. */
function refusedEncryption(error) {
    if (error.code !== '28000')
        return undefined;
    const message = messageOf(error);
    if (!/pg_hba\.conf/.test(message))
        return undefined;
    if (/(SSL encryption|SSL on)$/.test(message))
        return 'encrypted';
    if (/(no encryption|SSL off)$/.test(message))
        return 'unencrypted';
    return undefined;
}
/** A failure of the TLS handshake or of the certificate check (not of the server). */
function isTlsFailure(error) {
    const { code, library } = error;
    return (library === 'SSL routines' ||
        /^ERR_(SSL|TLS)_/.test(code ?? '') ||
        CERTIFICATE_UNTRUSTED.has(code ?? '') ||
        CERTIFICATE_DATES.has(code ?? ''));
}
const CERTIFICATE_UNTRUSTED = new Set([
    'SELF_SIGNED_CERT_IN_CHAIN',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'UNABLE_TO_GET_ISSUER_CERT',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'CERT_UNTRUSTED',
    'CERT_REJECTED',
    'CERT_SIGNATURE_FAILURE',
    'INVALID_CA',
    'INVALID_PURPOSE',
    'PATH_LENGTH_EXCEEDED',
    'CERT_CHAIN_TOO_LONG',
    'CERT_REVOKED',
]);
const CERTIFICATE_DATES = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

;// CONCATENATED MODULE: ./lib/db/connect-errors.js
// The one sentence for each way a connection can fail, and which failures are worth waiting out. Pure.


// Errors worth waiting out: the server is not up yet (a service container still starting) or the
// network dropped the attempt. Authentication and configuration errors are final.
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', '57P03', 'ETIMEDOUT']);
function isTransient(error) {
    const code = error.code;
    if (code && TRANSIENT_CODES.has(code))
        return true;
    return /Connection terminated unexpectedly|timeout expired/i.test(messageOf(error));
}
function connectionError(target, error, timeoutSeconds) {
    const code = error.code;
    const where = `${target.host}:${target.port}`;
    const message = messageOf(error);
    const tlsProblem = tlsError(target, error);
    if (tlsProblem)
        return tlsProblem;
    switch (code) {
        case '28P01':
            return new ConfigurationError(`PostgreSQL at ${where} rejected the password for user ${target.user ?? '(default)'}: check the user and password in the database URL.`);
        case '3D000':
            return new ConfigurationError(`Database ${target.database ?? ''} does not exist on ${where}: create it, or fix the database name in the URL.`);
        case '28000':
            return new ConfigurationError(`PostgreSQL at ${where} refused the connection (${message}): check the user, the database and sslmode in the URL.`);
        case 'ENOTFOUND':
        case 'EAI_AGAIN':
            return new ConfigurationError(`The database host ${target.host} cannot be resolved: check the host name in the database URL.`);
    }
    if (isTransient(error)) {
        return new ConfigurationError(`Could not connect to PostgreSQL at ${where} within ${timeoutSeconds} s (${message}): check the host and port, and that the server is running and reachable from the runner.`);
    }
    return new ConfigurationError(`Could not connect to PostgreSQL at ${where} (${message}): check the database URL.`);
}
/** The sentence for an error about encryption or the server's certificate, if it is one. */
function tlsError(target, error) {
    const { code, cert } = error;
    const where = `${target.host}:${target.port}`;
    const mode = `sslmode=${target.sslMode}`;
    const who = `user ${target.user ?? '(default)'} to database ${target.database ?? '(default)'}`;
    const message = messageOf(error);
    if (message.includes(NO_SSL)) {
        return new ConfigurationError(`PostgreSQL at ${where} does not accept encrypted (TLS) connections, but ${mode} asks for one: turn on ssl in the server's configuration, or set sslmode=prefer or sslmode=disable in the database URL if an unencrypted connection is acceptable.`);
    }
    const refused = refusedEncryption(error);
    if (refused === 'unencrypted') {
        // With `allow` and `prefer`, an encrypted attempt was made too and found no TLS.
        const fix = target.sslMode === 'disable'
            ? 'set sslmode=require (or verify-ca or verify-full) in the database URL'
            : "turn on ssl in the server's configuration, or let the runner connect without encryption in pg_hba.conf";
        return new ConfigurationError(`PostgreSQL at ${where} refused an unencrypted connection for ${who}, because its pg_hba.conf requires TLS for it (${message}): ${fix}.`);
    }
    if (refused === 'encrypted') {
        return new ConfigurationError(`PostgreSQL at ${where} refused an encrypted connection for ${who}, because its pg_hba.conf allows it only unencrypted connections (${message}): set sslmode=prefer or sslmode=disable in the database URL, or allow hostssl connections for it in pg_hba.conf.`);
    }
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
        const names = cert?.subjectaltname ? ` (it names ${cert.subjectaltname})` : '';
        return new ConfigurationError(`The server certificate of PostgreSQL at ${where} does not name the host ${target.host}${names}: put a host name the certificate names in the database URL, or use sslmode=verify-ca to check only that a trusted CA signed it.`);
    }
    if (code && CERTIFICATE_UNTRUSTED.has(code)) {
        const fix = target.sslRootCert === 'system'
            ? "set sslrootcert to the file of the CA that signed it instead (a hosted database's provider publishes it), or remove sslrootcert and use sslmode=require to encrypt without verifying the certificate"
            : target.sslMode === 'verify-ca' || target.sslMode === 'verify-full'
                ? "set sslrootcert to the file of the CA that signed it (a hosted database's provider publishes it), or use sslmode=require to encrypt without verifying the certificate"
                : "set sslrootcert to the file of the CA that signed it (a hosted database's provider publishes it), or remove sslrootcert to encrypt without verifying the certificate";
        return new ConfigurationError(`The server certificate of PostgreSQL at ${where} is not signed by a CA in ${rootsName(target)} (${code}): ${fix}.`);
    }
    if (code && CERTIFICATE_DATES.has(code)) {
        return new ConfigurationError(`The server certificate of PostgreSQL at ${where} is not valid at this time (${code}): the server needs a current certificate, or use sslmode=require to encrypt without verifying it.`);
    }
    if (isTlsFailure(error)) {
        return new ConfigurationError(`The TLS handshake with PostgreSQL at ${where} failed (${message}): check sslmode, sslcert and sslkey in the database URL, and the server's TLS settings.`);
    }
    return undefined;
}

// EXTERNAL MODULE: ./lib/db/session.js
var session = __nccwpck_require__(3794);
;// CONCATENATED MODULE: ./lib/db/connect.js
// Opens the run's one connection: libpq's sslmode attempts, retries while the server is starting.






/** Whether libpq would make the next attempt after `error`: see PQconnectPoll. */
function retries(target, error) {
    if (isTransient(error))
        return false;
    // `prefer`: the server has no TLS, the handshake failed, or the server refused the encrypted
    // session; `allow`: the server refused the plain one.
    if (target.sslMode === 'prefer') {
        return (messageOf(error).includes(NO_SSL) || isTlsFailure(error) || error instanceof esm.DatabaseError);
    }
    return target.sslMode === 'allow' && error instanceof esm.DatabaseError;
}
/**
 * `-c search_path=<schema>` for the startup packet's options: the schema quoted as an identifier,
 * then spaces and backslashes escaped with a backslash, as the server splits the options string.
 */
function searchPathOption(schema) {
    const quoted = `"${schema.replaceAll('"', '""')}"`;
    return `-c search_path=${quoted.replace(/[\\ ]/g, (c) => `\\${c}`)}`;
}
function clientConfig(target, ssl, timeoutMs) {
    return {
        host: target.host,
        port: target.port,
        user: target.user,
        password: target.password,
        database: target.database,
        ssl,
        application_name: session/* APPLICATION_NAME */.j9,
        // Keepalives let the server notice a runner that vanished and free its lock.
        keepAlive: true,
        keepAliveInitialDelayMillis: 10_000,
        connectionTimeoutMillis: Math.max(1, timeoutMs),
        ...(target.searchPath !== undefined && { options: searchPathOption(target.searchPath) }),
    };
}
function connect_open(config) {
    const client = new esm.Client(config);
    let version = '';
    client.connection.on('parameterStatus', (message) => {
        if (message.parameterName === 'server_version')
            version = message.parameterValue;
    });
    return { client, version: () => version };
}
/**
 * Servers (`host:port`) that answered a TLS request with "no TLS here": under `prefer`, later
 * connections to them go straight to the plain attempt. libpq continues on the same socket after
 * that answer; pg closes it, so without this every connection of a fleet to such a server would
 * start a server process only to be told no (measured: 16-19 % of a fleet step over 300 databases).
 */
const withoutTls = new Set();
async function attempt(target, timeoutMs) {
    const server = `${target.host}:${target.port}`;
    const planned = attemptsFor(target);
    const [first, second] = target.sslMode === 'prefer' && withoutTls.has(server) ? [false] : planned;
    try {
        return await openWith(target, first ?? false, timeoutMs);
    }
    catch (error) {
        if (target.sslMode === 'prefer' && messageOf(error).includes(NO_SSL))
            withoutTls.add(server);
        if (second === undefined || !retries(target, error))
            throw error;
        try {
            return await openWith(target, second, timeoutMs);
        }
        catch (again) {
            if (refusedEncryption(error) && refusedEncryption(again)) {
                throw new ConfigurationError(`PostgreSQL at ${target.host}:${target.port} refused both an encrypted and an unencrypted connection for user ${target.user ?? '(default)'} to database ${target.database ?? '(default)'} (${messageOf(error)}): check the user and database in the URL, or ask for a pg_hba.conf entry that lets the runner connect.`);
            }
            // The retry's error, unless the retry was refused for its encryption or found no TLS:
            // then the first attempt's error is the one that says what is wrong.
            if (refusedEncryption(again) || messageOf(again).includes(NO_SSL))
                throw error;
            throw again;
        }
    }
}
async function openWith(target, ssl, timeoutMs) {
    const { client, version } = connect_open(clientConfig(target, ssl, timeoutMs));
    await client.connect();
    return { client, serverMajor: Number.parseInt(version(), 10), serverVersion: version() };
}
/**
 * Opens the one connection of the run. While the server refuses, resets or says it is starting,
 * it tries again with a growing pause until `timeoutSeconds` have passed; any other error is
 * final and becomes one sentence.
 */
function connect(target, timeoutSeconds, log) {
    const connecting = connectWithRetries(target, timeoutSeconds, log);
    // The caller may do other work (read the files) before it awaits the connection: an error that
    // comes first (an unreadable certificate file, a wrong password) must wait for it there, not
    // end the process as an unhandled rejection.
    connecting.catch(() => undefined);
    return connecting;
}
async function connectWithRetries(target, timeoutSeconds, log) {
    const deadline = Date.now() + timeoutSeconds * 1000;
    let pause = 250;
    for (let tries = 1;; tries++) {
        try {
            return await attempt(target, deadline - Date.now());
        }
        catch (error) {
            if (error instanceof ConfigurationError)
                throw error;
            const remaining = deadline - Date.now();
            if (!isTransient(error) || remaining <= 0)
                throw connectionError(target, error, timeoutSeconds);
            if (tries === 1 || tries % 5 === 0) {
                log(`Waiting for ${target.host}:${target.port} to accept connections (${messageOf(error)}).`);
            }
            await (0,promises_namespaceObject.setTimeout)(Math.min(pause, remaining));
            pause = Math.min(pause * 2, 2000);
        }
    }
}

;// CONCATENATED MODULE: ./lib/files/content.js
// A migration's content and checksum as defined: UTF-8, BOM dropped, CRLF as LF, SHA-256. Pure.

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
/**
 * The text of a file as the action sees it. The BOM is dropped and CRLF becomes LF, so a checkout
 * with Windows line endings has the same checksum as one with Unix endings: line endings are the
 * checkout's choice (core.autocrlf), not the author's change.
 */
function normalizeContent(bytes) {
    // TextDecoder drops a leading BOM itself (ignoreBOM: false) and throws on invalid UTF-8.
    return utf8.decode(bytes).replaceAll('\r\n', '\n');
}
function checksumOf(normalized) {
    // One-shot: a Hash object per file costs more (and more garbage) than the hashing itself.
    return (0,external_node_crypto_.hash)('sha256', normalized, 'hex');
}

;// CONCATENATED MODULE: ./lib/files/atomic.js
// The atomic wrapper: a file whose only transaction control is a leading `BEGIN;` and a trailing
// `COMMIT;` (how golang-migrate and sqitch users make a file atomic). Pure; found by the splitter.


const OPENING = new Set(['BEGIN', 'BEGIN WORK', 'BEGIN TRANSACTION', 'START TRANSACTION']);
const CLOSING = new Set(['COMMIT', 'COMMIT WORK', 'COMMIT TRANSACTION']);
/** A cheap test before splitting: a file without these words cannot be wrapped. */
const MAY_BE_WRAPPED = /\b(?:begin|start)\b[\s\S]*\bcommit\b/i;
/**
 * The file's text without its atomic wrapper, when it has one: the `BEGIN;` that is its first
 * statement and the `COMMIT;` that is its last are blanked (every character but line breaks
 * becomes a space), so positions and lines still point into the file as written. The action's own
 * transaction then does what the wrapper did. Undefined when the file is not wrapped exactly so:
 * any other transaction control stays where it is, and the pre-flight check refuses it.
 */
function unwrapAtomic(sql) {
    if (!MAY_BE_WRAPPED.test(sql))
        return undefined;
    const statements = (0,sql_splitter/* splitSql */.b)(sql);
    const first = statements[0];
    const last = statements.at(-1);
    if (first === undefined || last === undefined || statements.length < 2)
        return undefined;
    if (!OPENING.has(wordsOf(sql.slice(first.start, first.end))))
        return undefined;
    if (!CLOSING.has(wordsOf(sql.slice(last.start, last.end))))
        return undefined;
    for (let i = 1; i < statements.length - 1; i++) {
        if ((0,statement_kinds/* transactionControlOf */.vp)(statements[i]?.keyword ?? '') !== undefined)
            return undefined;
    }
    return `${sql.slice(0, first.start)}${blank(sql.slice(first.start, first.end))}${sql.slice(first.end, last.start)}${blank(sql.slice(last.start, last.end))}${sql.slice(last.end)}`;
}
/** `begin ;` \u2192 `BEGIN`: the statement's words, upper-cased, single-spaced, without its `;`. */
function wordsOf(statement) {
    return statement.replace(/;\s*$/, '').trim().split(/\s+/).join(' ').toUpperCase();
}
function blank(text) {
    return text.replace(/[^\n]/g, ' ');
}

;// CONCATENATED MODULE: ./lib/files/migration.js
// One migration file as the rest of the run sees it; its text is read only when needed.



/**
 * A migration file as read: its text is read only when it is needed (to run the file, parse it
 * or show it), so a run with nothing to do never holds the files' contents. A class rather than
 * an object with closures: thousands of files cost a field each, not a closure each.
 */
class MigrationFile {
    version;
    name;
    path;
    checksum;
    size;
    text;
    /** Where the up part ends, when the file has a `-- migrate:down` section. */
    upEnd;
    /** The up part as it runs (a leading BEGIN; and trailing COMMIT; blanked: atomic.ts). */
    up;
    noTransaction = false;
    layout;
    directiveFindings;
    down;
    held;
    constructor(version, name, path, checksum, size, text) {
        this.version = version;
        this.name = name;
        this.path = path;
        this.checksum = checksum;
        this.size = size;
        this.text = text;
    }
    /**
     * The up part as it runs: the whole file, or what comes before its `-- migrate:down` line; a
     * leading `BEGIN;` and trailing `COMMIT;` run as the action's own transaction (atomic.ts).
     */
    get sql() {
        if (this.up === undefined) {
            const text = this.fullText();
            const up = this.upEnd === undefined ? text : text.slice(0, this.upEnd);
            this.up = this.noTransaction ? up : (unwrapAtomic(up) ?? up);
        }
        return this.up;
    }
    /** The file's whole text, as the checksum's definition reads it. */
    fullText() {
        this.text ??= normalizeContent((0,external_node_fs_.readFileSync)(this.path));
        return this.text;
    }
    /** Cuts the file at its down marker: `sql` becomes the up part, `down` the rest. */
    cutAt(upEnd, downStart, line, noTransaction) {
        this.upEnd = upEnd;
        this.held = true;
        this.down = new DownSection(this, downStart, line, noTransaction);
    }
    preview(limit) {
        return this.text === undefined && this.size > limit * 4
            ? head(this.path, limit)
            : this.sql.slice(0, limit);
    }
}
/** The down section of a file: its text read from the file's own (lazy) text. */
class DownSection {
    owner;
    start;
    line;
    noTransaction;
    file;
    constructor(owner, start, line, noTransaction) {
        this.owner = owner;
        this.start = start;
        this.line = line;
        this.noTransaction = noTransaction;
        this.file = owner.name;
    }
    get sql() {
        return this.owner.fullText().slice(this.start);
    }
}
/** The first `limit` characters of a file, reading only its first bytes. */
function head(filePath, limit) {
    const bytes = Buffer.alloc(limit * 4);
    const fd = (0,external_node_fs_.openSync)(filePath, 'r');
    try {
        const read = (0,external_node_fs_.readSync)(fd, bytes, 0, bytes.length, 0);
        // A character cut at the end decodes as U+FFFD: drop it with the rest past `limit`.
        return normalizeContent(Buffer.from(new TextDecoder().decode(bytes.subarray(0, read)))).slice(0, limit);
    }
    finally {
        (0,external_node_fs_.closeSync)(fd);
    }
}

// EXTERNAL MODULE: external "node:buffer"
var external_node_buffer_ = __nccwpck_require__(4573);
// EXTERNAL MODULE: ./lib/files/scan.js
var scan = __nccwpck_require__(3522);
;// CONCATENATED MODULE: ./lib/files/scan-file.js
// Reads a file from disk through the content scanner, in 1 MiB reads into one shared buffer.




const CR = 0x0d;
// One buffer for every file of the run: reading thousands of files allocates nothing per file.
let shared;
/**
 * Scans a file in 1 MiB reads into a shared buffer: any size, constant memory. The usual small
 * file without BOM or CR is hashed in one call, without a streaming hash object: for thousands of
 * files those objects (and their native finalisers) cost more garbage collection than hashing.
 */
function scanFile(filePath) {
    shared ??= Buffer.allocUnsafe(1 << 20);
    const fd = (0,external_node_fs_.openSync)(filePath, 'r');
    try {
        const first = (0,external_node_fs_.readSync)(fd, shared, 0, shared.length, null);
        const bytes = shared.subarray(0, first);
        // A short read of a regular file is its end: spare the read that would return 0.
        if (first < shared.length && !(0,scan/* hasBom */.BH)(bytes) && !bytes.includes(CR)) {
            return {
                checksum: (0,external_node_crypto_.hash)('sha256', bytes, 'hex'),
                utf8: (0,external_node_buffer_.isUtf8)(bytes),
                size: first,
                mentionsDirective: bytes.includes(scan/* DIRECTIVE */.Eq),
            };
        }
        const scanner = new scan/* ContentScanner */.SQ();
        scanner.update(bytes);
        for (let read = first; read === shared.length;) {
            read = (0,external_node_fs_.readSync)(fd, shared, 0, shared.length, null);
            if (read > 0)
                scanner.update(shared.subarray(0, read));
        }
        return scanner.finish();
    }
    finally {
        (0,external_node_fs_.closeSync)(fd);
    }
}

;// CONCATENATED MODULE: ./lib/files/discover.js
// Finds the migrations of a folder: names, versions, duplicates, unreadable files. Reads files, never the database.










/**
 * Reads every migration of a folder. Problems with single files are findings, so that one run
 * reports all of them; a folder that cannot be read at all is a ConfigurationError.
 */
async function readMigrations(dir, listed) {
    let names;
    try {
        // Names only: a Dirent per file costs more than the rare sub-folder named `*.sql`, which the
        // read below recognises (EISDIR) and skips. A caller that listed the folder already passes
        // its `.sql` names.
        names = listed ?? (0,external_node_fs_.readdirSync)(dir).filter((name) => name.endsWith('.sql'));
    }
    catch (error) {
        throw folderError(dir, error);
    }
    if (names.length === 0)
        refuseNestedLayout(dir);
    const findings = [];
    const migrations = [];
    // Synchronous reads into one shared buffer: for thousands of small files they take a tenth of
    // the time of the promise API (measured: 37 ms against 296 ms for 1,000 files). Every 64 files
    // the event loop gets a turn, so the connection being opened meanwhile keeps its handshake going.
    for (const [index, name] of names.entries()) {
        if (index % 64 === 63)
            await new Promise((resolve) => setImmediate(resolve));
        const version = versionOf(name);
        if (version === undefined) {
            if (isFolder(`${dir}${external_node_path_.sep}${name}`))
                continue;
            findings.push({
                kind: 'misnamed',
                file: name,
                message: `${name} is not named <version>_<description>.sql (for example 001_create_users.sql): rename it, or move it out of the migrations folder.`,
                stops: true,
            });
        }
        else if (version > MAX_VERSION) {
            findings.push({
                kind: 'version-too-large',
                file: name,
                message: `${name} has version ${version}, above PostgreSQL's bigint maximum ${MAX_VERSION}: use a smaller version.`,
                stops: true,
            });
        }
        else {
            // Only a large file with directives is read asynchronously: an await per file would cost
            // thousands of turns of the event loop in a run with nothing to do.
            const reading = readMigration(dir, name, version);
            const read = reading instanceof Promise ? await reading : reading;
            if (read instanceof MigrationFile) {
                migrations.push(read);
                if (read.directiveFindings)
                    findings.push(...read.directiveFindings);
            }
            else if (read)
                findings.push(read);
        }
    }
    migrations.sort(byVersion);
    findings.push(...duplicates(migrations));
    return { migrations, findings };
}
/**
 * A folder without a single .sql file whose sub-folders hold some is another tool's layout
 * (Prisma's `<version>_<name>/migration.sql`, diesel's `<version>_<name>/up.sql`): reporting it
 * up to date would pass a deploy that applied nothing.
 */
function refuseNestedLayout(dir) {
    let folders;
    try {
        folders = (0,external_node_fs_.readdirSync)(dir, { withFileTypes: true })
            .filter((entry) => entry.isDirectory())
            .map((entry) => entry.name)
            .sort();
    }
    catch {
        return;
    }
    for (const folder of folders) {
        let files;
        try {
            files = (0,external_node_fs_.readdirSync)(`${dir}${external_node_path_.sep}${folder}`).filter((name) => name.endsWith('.sql'));
        }
        catch {
            continue;
        }
        if (files.length === 0)
            continue;
        const layout = files.includes('migration.sql')
            ? "Prisma's layout (<version>_<name>/migration.sql)"
            : files.includes('up.sql')
                ? "diesel's layout (<version>_<name>/up.sql and down.sql)"
                : 'a layout of one folder per migration';
        const example = `${folder}/${files.includes('migration.sql') ? 'migration.sql' : files.includes('up.sql') ? 'up.sql' : files[0]}`;
        throw new ConfigurationError(`The migrations folder ${dir} holds no .sql file, but its sub-folders do (${example}), which looks like ${layout}: this action applies <version>_<description>.sql files placed directly in migrations-dir, so move or convert the migrations into such files, or point migrations-dir at the folder that holds them.`);
    }
}
function isFolder(filePath) {
    try {
        return (0,external_node_fs_.statSync)(filePath).isDirectory();
    }
    catch {
        return false;
    }
}
/** The file, a finding when it cannot be read, or undefined for a sub-folder named `*.sql`. */
function readMigration(dir, name, version) {
    const filePath = `${dir}${external_node_path_.sep}${name}`;
    let scan;
    try {
        scan = scanFile(filePath);
    }
    catch (error) {
        if (error.code === 'EISDIR')
            return undefined;
        return unreadable(name, version, `${messageOf(error)}; check the file and its permissions`);
    }
    if (!scan.utf8)
        return unreadable(name, version, 'it is not valid UTF-8; save it as UTF-8');
    if (!scan.mentionsDirective) {
        return new MigrationFile(version, name, filePath, scan.checksum, scan.size);
    }
    if (scan.size > stream/* LARGE_FILE */.fW)
        return readLargeWithDirectives(filePath, name, version, scan);
    return readWithDirectives(filePath, name, version, scan);
}
/**
 * A large file's directives are read in chunks: holding its text would hold it for the whole run.
 * Only a large file with a down section is held, to cut its up part.
 */
async function readLargeWithDirectives(filePath, name, version, scan) {
    const { noTransaction, findings, down } = await readDirectivesInChunks((0,stream/* textChunks */.w7)(filePath), name);
    if (down)
        return readWithDirectives(filePath, name, version, scan);
    const migration = new MigrationFile(version, name, filePath, scan.checksum, scan.size);
    migration.noTransaction = noTransaction;
    if (findings.length > 0)
        migration.directiveFindings = findings;
    return migration;
}
/**
 * A file that mentions `migrate:` is read as text: its directives, and its down section, whose up
 * part alone is what the checksum covers.
 */
function readWithDirectives(filePath, name, version, scan) {
    const text = normalizeContent((0,external_node_fs_.readFileSync)(filePath));
    const cut = (0,files_down/* findDownSection */.z)(text);
    const checksum = cut ? checksumOf(text.slice(0, cut.upEnd)) : scan.checksum;
    const migration = new MigrationFile(version, name, filePath, checksum, scan.size, text);
    const { noTransaction, findings } = readDirectives(cut ? text.slice(0, cut.upEnd) : text, name);
    migration.noTransaction = noTransaction;
    if (cut) {
        const down = readDirectives((0,files_down/* downTextWithFileLines */.B)(text.slice(cut.downStart), cut.line), name);
        findings.push(...down.findings);
        migration.cutAt(cut.upEnd, cut.downStart, cut.line, noTransaction || down.noTransaction);
    }
    if (findings.length > 0)
        migration.directiveFindings = findings;
    return migration;
}
function unreadable(name, version, why) {
    return {
        kind: 'unreadable',
        file: name,
        version,
        message: `${name} cannot be read: ${why}.`,
        stops: true,
    };
}
/** Two files with one numeric version (`001_a.sql` and `1_b.sql`) cannot both be applied. */
function duplicates(sorted) {
    const findings = [];
    for (let i = 1; i < sorted.length; i++) {
        const previous = sorted[i - 1];
        const current = sorted[i];
        if (previous && current && previous.version === current.version) {
            findings.push({
                kind: 'duplicate',
                version: current.version,
                file: current.name,
                message: `${previous.name} and ${current.name} have the same version ${current.version}: give one of them a new version.`,
                stops: true,
            });
        }
    }
    return findings;
}
/** The one sentence for a migrations folder that cannot be listed. */
function folderError(dir, error) {
    const code = error.code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
        return new ConfigurationError(`The migrations folder ${dir} does not exist: set migrations-dir to the folder that holds your .sql files.`);
    }
    return new ConfigurationError(`The migrations folder ${dir} cannot be read (${messageOf(error)}): check its permissions.`);
}

;// CONCATENATED MODULE: ./lib/files/foreign.js
// Reads a folder in another tool's layout (golang-migrate, dbmate, goose, Flyway, Prisma, diesel,
// popx) into the migrations the rest of the run sees: the same model the plain layout gives. Reads
// files, never the database.










/** A whole-file migration of another layout: the plain layout's file, with its label and down. */
class LayoutFile extends MigrationFile {
    label;
    key;
}
/**
 * A section of a single-file migration (dbmate, goose): the up part is what runs and what the
 * checksum covers; the text is held, since cutting the sections needed it anyway.
 */
class SectionMigration {
    version;
    name;
    path;
    checksum;
    up;
    noTransaction;
    label;
    down;
    unwrapped;
    layout;
    key;
    constructor(version, name, path, checksum, up, noTransaction, label, down) {
        this.version = version;
        this.name = name;
        this.path = path;
        this.checksum = checksum;
        this.up = up;
        this.noTransaction = noTransaction;
        this.label = label;
        this.down = down;
    }
    get sql() {
        if (this.noTransaction)
            return this.up;
        this.unwrapped ??= unwrapAtomic(this.up) ?? this.up;
        return this.unwrapped;
    }
}
/**
 * Reads the migrations of `entries` (the folder's listing) in `layout`: names and order from the
 * layout's reader, checksums over what runs (the up file, or the up section), the tool's
 * "no transaction" settings, and the down SQL for `rollback`. Problems are findings, as for the
 * plain layout, so one run reports all of them.
 */
async function readForeign(dir, layout, entries, options) {
    const reading = migrationsOf(layout, entries, { skipGo: options.skipGo });
    const findings = reading.errors.map((message) => ({
        kind: 'misnamed',
        message,
        stops: true,
    }));
    const migrations = [];
    for (const [index, migration] of reading.migrations.entries()) {
        // Let the connection being opened meanwhile keep its handshake going (as discover.ts).
        if (index % 64 === 63)
            await new Promise((resolve) => setImmediate(resolve));
        // Flyway's dotted versions and popx's beyond bigint get a stand-in version and keep their key;
        // the other tools' versions are numbers the tracking table holds as they are.
        const keyed = layout === 'flyway' || layout === 'popx';
        if (!keyed && tooLarge(migration.key)) {
            findings.push({
                kind: 'version-too-large',
                file: migration.upFile,
                message: `${migration.upFile} has version ${migration.label}, above PostgreSQL's bigint maximum ${MAX_VERSION}, which the tracking table cannot hold.`,
                stops: true,
            });
            continue;
        }
        const versioned = keyed ? versionOfKey(migration.key) : { version: BigInt(migration.key) };
        const read = migration.sections === undefined
            ? readWhole(dir, layout, migration, versioned, findings)
            : readSections(dir, migration, versioned, findings, options.whole);
        if (read) {
            // The tool's own markers (goose's `-- +goose Up`) are read by its layout, not refused.
            read.layout = layout;
            if (versioned.key !== undefined)
                read.key = versioned.key;
            migrations.push(read);
        }
    }
    return { migrations, findings, warnings: reading.warnings, skipped: reading.skipped };
}
/** A number above PostgreSQL's bigint, as a canonical decimal. */
function tooLarge(key) {
    return key.length > 19 || (key.length === 19 && key > MAX_INT64);
}
function readWhole(dir, layout, migration, { version }, findings) {
    const filePath = external_node_path_.join(dir, migration.upFile);
    let scan;
    try {
        scan = scanFile(filePath);
    }
    catch (error) {
        findings.push(foreign_unreadable(migration.upFile, version, `${messageOf(error)}; check the file`));
        return undefined;
    }
    if (!scan.utf8) {
        findings.push(foreign_unreadable(migration.upFile, version, 'it is not valid UTF-8; save it as UTF-8'));
        return undefined;
    }
    const file = new LayoutFile(version, migration.upFile, filePath, scan.checksum, scan.size);
    file.label = migration.label;
    let noTransaction = migration.noTransaction;
    if (migration.settingsFile !== undefined) {
        const settingsPath = external_node_path_.join(dir, migration.settingsFile);
        const settings = readSettings(layout, (0,external_node_fs_.readFileSync)(settingsPath, 'utf8'), migration.settingsFile);
        noTransaction = settings.noTransaction;
        for (const message of settings.errors) {
            findings.push({
                kind: 'directive',
                file: migration.settingsFile,
                version,
                message,
                stops: true,
            });
        }
    }
    file.noTransaction = noTransaction;
    if (migration.downFile !== undefined) {
        file.down = downFile(dir, migration.downFile, migration.downNoTransaction ?? noTransaction);
    }
    return file;
}
/** A down file, read only when `rollback` asks for its text. */
function downFile(dir, file, noTransaction) {
    let text;
    return {
        get sql() {
            text ??= normalizeContent((0,external_node_fs_.readFileSync)(external_node_path_.join(dir, file)));
            return text;
        },
        file,
        line: 1,
        noTransaction,
    };
}
function readSections(dir, migration, { version }, findings, whole) {
    const filePath = external_node_path_.join(dir, migration.upFile);
    let text;
    try {
        text = normalizeContent(whole?.get(migration.upFile) ?? (0,external_node_fs_.readFileSync)(filePath));
    }
    catch (error) {
        const why = error instanceof TypeError ? 'it is not valid UTF-8; save it as UTF-8' : messageOf(error);
        findings.push(foreign_unreadable(migration.upFile, version, why));
        return undefined;
    }
    const sections = migration.sections?.(text);
    if (sections === undefined)
        return undefined;
    for (const { line, message } of sections.errors) {
        findings.push({
            kind: 'directive',
            file: migration.upFile,
            version,
            line,
            message: `${migration.upFile} line ${line}: ${message}`,
            stops: true,
        });
    }
    const down = sections.down === undefined
        ? undefined
        : {
            sql: sections.down.text,
            file: migration.upFile,
            line: sections.down.line,
            noTransaction: sections.downNoTransaction,
        };
    return new SectionMigration(version, migration.upFile, filePath, checksumOf(sections.up.text), sections.up.text, sections.noTransaction, migration.label, down);
}
function foreign_unreadable(file, version, why) {
    return {
        kind: 'unreadable',
        file,
        version,
        message: `${file} cannot be read: ${why}.`,
        stops: true,
    };
}

;// CONCATENATED MODULE: ./lib/files/folder.js
// Reads the migrations folder in its layout: the plain layout or another tool's, chosen by the
// `layout` input or recognised from the names (and the first lines of the files). Reads files,
// never the database.







/**
 * The migrations of the folder in its layout. `plain` goes straight to the plain reader; `auto`
 * first lists the names (and, when dbmate, goose and plain names look alike, the files' first
 * lines) to choose. A folder mixing layouts is an error. Flyway, popx and diesel give the order
 * of their versions (`order`), which the plan follows.
 */
async function readFolder(dir, options) {
    if (options.layout === 'plain') {
        return { ...(await readMigrations(dir)), ...plain('set by the layout input') };
    }
    const entries = folderEntries(dir);
    // A file that detection read whole (most migrations are shorter than HEAD) is not read again
    // when its sections are cut: dbmate's and goose's files are otherwise read twice. Up to
    // WHOLE_BYTES in all, so that a folder of thousands of files holds a bounded amount.
    const whole = new Map();
    let held = 0;
    const keep = (file, bytes) => {
        if (held + bytes.length > WHOLE_BYTES)
            return;
        held += bytes.length;
        whole.set(file, bytes);
    };
    const detection = detectLayout(entries, options.layout, {
        textOf: (file) => headOf(external_node_path_.join(dir, file), (bytes) => keep(file, bytes)),
    });
    if (!detection.ok)
        throw new ConfigurationError(detection.error);
    const { layout, reason } = detection;
    if (layout === 'plain') {
        const sql = entries.filter((e) => !e.path.includes('/') && e.path.endsWith('.sql'));
        return {
            ...(await readMigrations(dir, sql.map((e) => e.path))),
            ...plain(reason),
        };
    }
    const order = versionOrder(layout);
    return {
        ...(await readForeign(dir, layout, entries, { ...options, whole })),
        layout,
        reason,
        ...(order && { order }),
    };
}
function plain(reason) {
    return { layout: 'plain', reason, warnings: [], skipped: [] };
}
/**
 * The folder's entries and one level of its sub-folders (Prisma and diesel keep one folder per
 * migration). Names only, as the plain layout lists them: a name with an extension is taken for a
 * file (a sub-folder named `*.sql` is recognised when it is read), and only the others are asked
 * whether they are folders, so a folder of 10,000 files costs no stat and no Dirent per file.
 */
function folderEntries(dir) {
    let names;
    try {
        names = (0,external_node_fs_.readdirSync)(dir);
    }
    catch (error) {
        throw folderError(dir, error);
    }
    const entries = [];
    for (const name of names) {
        if (name.startsWith('.'))
            continue;
        const children = name.includes('.') ? undefined : childrenOf(external_node_path_.join(dir, name));
        entries.push({ path: name, isDirectory: children !== undefined });
        if (children === undefined)
            continue;
        const sub = external_node_path_.join(dir, name);
        for (const child of children) {
            if (child.startsWith('.'))
                continue;
            const nested = !child.includes('.') && folder_isFolder(external_node_path_.join(sub, child));
            entries.push({ path: `${name}/${child}`, isDirectory: nested });
        }
    }
    return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
/**
 * The names in a sub-folder, or undefined when the name is not a folder (a file without an
 * extension, a dangling link): one readdir instead of a stat and a readdir, which for diesel's and
 * Prisma's folder per migration halves the calls.
 */
function childrenOf(sub) {
    try {
        return (0,external_node_fs_.readdirSync)(sub);
    }
    catch (error) {
        const code = error.code;
        if (code === 'ENOTDIR' || code === 'ENOENT')
            return undefined;
        throw folderError(sub, error);
    }
}
function folder_isFolder(filePath) {
    try {
        return (0,external_node_fs_.statSync)(filePath).isDirectory();
    }
    catch {
        return false;
    }
}
const HEAD = Buffer.alloc(16 * 1024);
/** The most bytes of files read whole during detection that are kept for reading them. */
const WHOLE_BYTES = 16 * 2 ** 20;
/**
 * The first 16 KiB of a file as text: where goose's and dbmate's markers sit. A file shorter than
 * that has been read whole: its bytes go to `whole`, so that it is not read a second time.
 */
function headOf(file, whole) {
    try {
        const fd = (0,external_node_fs_.openSync)(file, 'r');
        try {
            const read = (0,external_node_fs_.readSync)(fd, HEAD, 0, HEAD.length, 0);
            if (read < HEAD.length)
                whole(Buffer.from(HEAD.subarray(0, read)));
            return HEAD.toString('utf8', 0, read);
        }
        finally {
            (0,external_node_fs_.closeSync)(fd);
        }
    }
    catch {
        return undefined;
    }
}

;// CONCATENATED MODULE: ./lib/fleet/sessions.js


/**
 * What makes a reused session look as a new one opened for `schema` does: every setting back to
 * the session's defaults, then search_path set to the schema, quoted as an identifier (as the
 * startup option sets it). One round trip.
 */
function reuseSql(schema) {
    return `RESET ALL; SET search_path TO ${(0,history_table/* quoteIdentifier */.C)(schema)}`;
}
/**
 * Whether the session is idle outside a transaction once its last answer is in: a query that
 * failed gives its error before the server's ReadyForQuery, which may still be on its way.
 */
async function settlesIdle(db) {
    const client = db.client;
    if (client.readyForQuery !== true) {
        const drained = await new Promise((resolve) => {
            const finish = (value) => {
                client.off('drain', onDrain);
                client.off('end', onEnd);
                client.off('error', onEnd);
                resolve(value);
            };
            const onDrain = () => finish(true);
            const onEnd = () => finish(false);
            client.on('drain', onDrain);
            client.on('end', onEnd);
            client.on('error', onEnd);
        });
        if (!drained)
            return false;
    }
    return client.getTransactionStatus() === 'I';
}
/**
 * Sessions for checking schema targets that all live in one database: a backend start costs the
 * server far more than the check's few queries (about 35 ms of its CPU per connection on a 2-core
 * runner, against 2\u201310 ms for the queries), so a session that finished one schema's check is given
 * to the next, with its search_path set to that schema.
 *
 * Only for the check, which reads and never changes its session: it runs no SET, takes no lock and
 * opens no transaction. Even so, a reused session gets RESET ALL before its new search_path, and
 * it is reused only when the check finished without an error and the session is idle outside a
 * transaction; any other is closed. Writes never use these sessions: a
 * migration's RESET ALL brings back the search_path a session started with, so each target that
 * writes gets a connection of its own, opened with its schema.
 *
 * At most one session per caller in flight is ever open: a new one is opened only when none is
 * idle, so with `concurrency` lanes there are never more than `concurrency` sessions.
 */
class CheckSessions {
    timeoutSeconds;
    idle = [];
    constructor(timeoutSeconds) {
        this.timeoutSeconds = timeoutSeconds;
    }
    /** An idle session reset and set to the target's schema, or a new one opened with it. */
    async take(target, log) {
        if (target.searchPath === undefined)
            throw new Error('CheckSessions: a target without a schema.');
        const reused = this.idle.pop();
        if (reused) {
            try {
                await reused.client.query(reuseSql(target.searchPath));
                return reused;
            }
            catch {
                // A session the server closed while it was idle: open a new one instead.
                await reused.client.end().catch(() => undefined);
            }
        }
        const db = await connect(target, this.timeoutSeconds, log);
        // A session the server ends while it waits in the pool reports an error event with no query
        // to take it: without a listener that would end the process; its next query fails instead.
        db.client.on('error', () => undefined);
        return db;
    }
    /** Keeps the session for the next schema when `clean` (the check succeeded) and it is idle; else closes it. */
    async release(db, clean) {
        if (clean && (await settlesIdle(db)))
            this.idle.push(db);
        else
            await db.client.end().catch(() => undefined);
    }
    /** Closes every idle session: before anything writes, so the writes have the connections to themselves. */
    async close() {
        const all = this.idle.splice(0);
        await Promise.all(all.map((db) => db.client.end().catch(() => undefined)));
    }
}

;// CONCATENATED MODULE: ./lib/fleet/shard.js
// The `shard` input and which targets belong to a shard (pure: a hash of the name, nothing else).


/** GitHub runs at most 256 jobs of one matrix. */
const MAX_SHARDS = 256;
/** Parses `i/n` (1 \u2264 i \u2264 n \u2264 256); spaces around the numbers are allowed. */
function parseShard(text) {
    const match = /^\s*(\d{1,3})\s*\/\s*(\d{1,3})\s*$/.exec(text);
    const index = Number(match?.[1]);
    const count = Number(match?.[2]);
    if (!match || !(count >= 1 && count <= MAX_SHARDS && index >= 1 && index <= count)) {
        throw new ConfigurationError(`Input shard is "${text}", but it must be i/n with 1 \u2264 i \u2264 n \u2264 ${MAX_SHARDS}, counting from 1 (1/4 to 4/4), for example shard: \${{ matrix.shard }}/4 with matrix shard: [1, 2, 3, 4].`);
    }
    return { index, count };
}
/**
 * The shard (from 1) a target name falls in among `count`: the first 8 bytes of the SHA-256 of its
 * UTF-8 bytes, read big-endian, modulo `count`, plus 1. The same on every runner, every run and
 * every Node version, and independent of the other names: adding a target moves no other one.
 */
function shardOf(name, count) {
    const digest = (0,external_node_crypto_.createHash)('sha256').update(name, 'utf8').digest();
    return Number(digest.readBigUInt64BE(0) % BigInt(count)) + 1;
}
/** Whether the target `name` is this job's to migrate. */
function inShard(name, shard) {
    return shardOf(name, shard.count) === shard.index;
}

;// CONCATENATED MODULE: ./lib/db/url.js
// Parses and checks the database URL as libpq reads it; names its secrets. Pure.

const SSL_MODES = [
    'disable',
    'allow',
    'prefer',
    'require',
    'verify-ca',
    'verify-full',
];
// libpq URI parameters the action honours; the others are reported and ignored.
const KNOWN_PARAMETERS = new Set([
    'host',
    'port',
    'user',
    'password',
    'dbname',
    'sslmode',
    'sslrootcert',
    'sslcert',
    'sslkey',
    'application_name',
    'connect_timeout',
]);
function decode(part, what) {
    try {
        return decodeURIComponent(part);
    }
    catch {
        throw new ConfigurationError(`The database URL's ${what} is not valid percent-encoding: encode special characters (for example @ as %40) and try again.`);
    }
}
/**
 * Returns every form of the password as it may appear in text, so that all are masked: the raw
 * text from the URL, the decoded password, and its re-encoded form.
 */
function secretForms(raw, decoded) {
    const forms = new Set([raw, decoded, encodeURIComponent(decoded)]);
    return [...forms].filter((form) => form.length > 0);
}
/**
 * Every form of the URL's password that could reach a log, found without parsing the URL, so
 * that the forms can be masked before any error about the URL is written: the text between the
 * user's ':' and the '@' (also when an unencoded '/', '?' or '#' would end the authority early),
 * decoded and re-encoded, and a `password=` query parameter.
 */
function secretsOf(url) {
    const rest = url.replace(/^[a-z]+:\/\//i, '');
    const secrets = [];
    const authority = rest.split(/[/?#]/)[0] ?? '';
    for (const end of [authority.lastIndexOf('@'), rest.lastIndexOf('@')]) {
        const colon = rest.indexOf(':');
        if (end === -1 || colon === -1 || colon > end)
            continue;
        const raw = rest.slice(colon + 1, end);
        secrets.push(...secretForms(raw, safeDecode(raw)));
    }
    for (const match of url.matchAll(/[?&]password=([^&#]*)/g)) {
        const raw = match[1] ?? '';
        const decoded = safeDecode(raw.replaceAll('+', ' '));
        secrets.push(...secretForms(raw, decoded));
    }
    return [...new Set(secrets)];
}
/**
 * Parses a `postgres://` or `postgresql://` URI the way libpq does for the parts the action uses.
 * Call `secretsOf` first: this throws on a malformed URL.
 */
function parseDatabaseUrl(url) {
    const scheme = /^(postgres|postgresql):\/\//i.exec(url);
    if (!scheme) {
        throw new ConfigurationError('The database URL must start with postgres:// or postgresql://, for example postgres://user:password@host:5432/database.');
    }
    const rest = url.slice(scheme[0].length);
    const authorityEnd = rest.search(/[/?#]/);
    // An '@' after the host part, before any query parameter, means a password (or user name) with
    // an unencoded '/', '?' or '#': refuse it rather than read a piece of the password as a host,
    // port or database name that could then be shown.
    const lastAt = rest.lastIndexOf('@');
    if (authorityEnd !== -1 &&
        lastAt > authorityEnd &&
        !rest.slice(authorityEnd, lastAt).includes('=')) {
        throw new ConfigurationError("The database URL's password or user name contains an unencoded /, ? or #: percent-encode it (/ as %2F, ? as %3F, # as %23, @ as %40).");
    }
    const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
    const at = authority.lastIndexOf('@');
    const userInfo = at === -1 ? '' : authority.slice(0, at);
    const hostPart = at === -1 ? authority : authority.slice(at + 1);
    const colon = userInfo.indexOf(':');
    const rawUser = colon === -1 ? userInfo : userInfo.slice(0, colon);
    const rawPassword = colon === -1 ? '' : userInfo.slice(colon + 1);
    const afterAuthority = authorityEnd === -1 ? '' : rest.slice(authorityEnd);
    const queryStart = afterAuthority.indexOf('?');
    const pathPart = queryStart === -1 ? afterAuthority : afterAuthority.slice(0, queryStart);
    const query = queryStart === -1 ? '' : afterAuthority.slice(queryStart + 1).split('#')[0];
    const params = new URLSearchParams(query);
    let { host, port } = splitHostPort(hostPart);
    const database = pathPart.startsWith('/') ? decode(pathPart.slice(1), 'database name') : '';
    let user = rawUser ? decode(rawUser, 'user name') : undefined;
    let password = rawPassword ? decode(rawPassword, 'password') : undefined;
    let dbname = database || undefined;
    const ignoredParameters = [];
    for (const [key, value] of params) {
        if (!KNOWN_PARAMETERS.has(key)) {
            // Only a plain name is repeated in the warning: anything else may be a piece of a secret.
            ignoredParameters.push(/^[a-z_]{1,40}$/i.test(key) ? key : '(a parameter that is not a name)');
        }
        else if (key === 'host')
            host = value;
        else if (key === 'port')
            port = parsePort(value);
        else if (key === 'user')
            user = value;
        else if (key === 'password')
            password = value;
        else if (key === 'dbname')
            dbname = value;
    }
    // As in libpq 16+, sslrootcert=system (the system's trusted roots) makes verify-full the
    // default and refuses weaker modes: anyone can get a publicly trusted certificate for a name.
    const sslRootCert = params.get('sslrootcert') || undefined;
    const sslModeText = params.get('sslmode') ?? (sslRootCert === 'system' ? 'verify-full' : 'prefer');
    if (!SSL_MODES.includes(sslModeText)) {
        throw new ConfigurationError(`The database URL's sslmode "${sslModeText}" is not one of ${SSL_MODES.join(', ')}.`);
    }
    if (sslRootCert === 'system' && sslModeText !== 'verify-full') {
        throw new ConfigurationError(`The database URL's sslmode=${sslModeText} may not be used with sslrootcert=system, since any publicly trusted certificate would pass: use sslmode=verify-full, as libpq requires.`);
    }
    if (host?.includes(',')) {
        throw new ConfigurationError('The database URL names several hosts; give the one primary server to migrate.');
    }
    const effectiveHost = host || 'localhost';
    return {
        host: effectiveHost,
        port: port ?? 5432,
        user,
        password,
        database: dbname,
        sslMode: sslModeText,
        sslRootCert,
        sslCert: params.get('sslcert') ?? undefined,
        sslKey: params.get('sslkey') ?? undefined,
        // libpq's default database is named after the user; the label never shows the user.
        label: `${dbname ?? 'the default database'} on ${effectiveHost}`,
        ignoredParameters,
    };
}
function safeDecode(text) {
    try {
        return decodeURIComponent(text);
    }
    catch {
        return text;
    }
}
function splitHostPort(hostPart) {
    if (hostPart.includes(',')) {
        throw new ConfigurationError('The database URL names several hosts; give the one primary server to migrate.');
    }
    // [::1]:5432
    const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(hostPart);
    if (bracketed) {
        const port = bracketed[2] ? parsePort(bracketed[2]) : undefined;
        return { host: bracketed[1] ?? '', port };
    }
    const colon = hostPart.lastIndexOf(':');
    if (colon === -1)
        return { host: decode(hostPart, 'host') };
    const port = hostPart.slice(colon + 1);
    return {
        host: decode(hostPart.slice(0, colon), 'host'),
        port: port ? parsePort(port) : undefined,
    };
}
function parsePort(text) {
    const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
    if (!(port >= 1 && port <= 65535)) {
        throw new ConfigurationError(`The database URL's port "${text}" is not a number from 1 to 65535.`);
    }
    return port;
}

;// CONCATENATED MODULE: ./lib/fleet/targets.js
// The targets of a fleet, from `database-urls`, `databases-query` or `schemas-query` (pure: never connects, never logs).


/** Letters, digits, `.`, `_` and `-`, at most 63 characters (PostgreSQL's limit for a name). */
const NAME = /^[A-Za-z0-9._-]{1,63}$/;
/** A line `name=URL`: something without `:` or `/` before the first `=` (a bare URL has `://` first). */
const NAMED = /^([^:/=]*)=(.*)$/;
/** PostgreSQL truncates names to 63 bytes (NAMEDATALEN - 1). */
const MAX_NAME_BYTES = 63;
/** Replaces every secret in `text` with `***`, the longest first so no piece of one is left. */
function maskSecrets(text, secrets) {
    let masked = text;
    for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
        if (secret)
            masked = masked.replaceAll(secret, '***');
    }
    return masked;
}
/** A lower-case start, so a parser's sentence can follow `Input database-urls, line 3: `. */
function continueSentence(message) {
    return message.charAt(0).toLowerCase() + message.slice(1);
}
/** The lines that are targets: not blank, not a comment (`#` as the first character after spaces). */
function targetLines(text) {
    const lines = [];
    for (const [index, raw] of text.split(/\r?\n/).entries()) {
        const line = raw.trim();
        if (line && !line.startsWith('#'))
            lines.push({ number: index + 1, line });
    }
    return lines;
}
/** The name (when given) and URL of a line. */
function splitLine(line) {
    const named = NAMED.exec(line);
    if (!named)
        return { url: line };
    return { name: (named[1] ?? '').trim(), url: (named[2] ?? '').trim() };
}
/**
 * Every form of every password in a `database-urls` text, found without parsing any URL: register
 * these as secrets first, so no message written afterwards (also a parse error) can show one.
 */
function secretsOfTargetList(text) {
    const secrets = new Set();
    for (const { line } of targetLines(text)) {
        for (const secret of secretsOf(splitLine(line).url))
            secrets.add(secret);
    }
    return [...secrets];
}
/** `host:port`, the host lower-cased: with the database, it tells whether two lines are one database. */
function serverKey(target) {
    return `${target.host.toLowerCase()}:${target.port}`;
}
/**
 * Parses `database-urls`: one target per line, `URL` or `name=URL`. Blank lines and lines whose
 * first character (after spaces) is `#` are ignored; line numbers in errors count every line.
 * A bare URL is named after its database. Names are unique, and one database is listed once.
 * An error names the line by its number and never shows a password.
 */
function parseTargetList(text) {
    const targets = [];
    // What each name and each database was first seen as, for errors that name both lines.
    const names = new Map();
    const databases = new Map();
    for (const { number, line } of targetLines(text)) {
        const where = `Input database-urls, line ${number}`;
        const { name: givenName, url } = splitLine(line);
        const secrets = secretsOf(url);
        if (givenName !== undefined && !NAME.test(givenName)) {
            // The name is not repeated: a line that is not what it seems may hold anything.
            throw new ConfigurationError(`${where}: the name before = may only hold letters, digits, ., _ and - (1 to 63 characters).`);
        }
        let target;
        try {
            target = parseDatabaseUrl(url);
        }
        catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            throw new ConfigurationError(`${where}: ${continueSentence(maskSecrets(message, secrets))}`);
        }
        const bare = givenName === undefined;
        let name = givenName;
        if (name === undefined) {
            if (!target.database) {
                throw new ConfigurationError(`${where}: the URL names no database, so give the target a name, as name=URL.`);
            }
            if (!NAME.test(target.database)) {
                throw new ConfigurationError(`${where}: the database name is not a target name (letters, digits, ., _ and -, at most 63), so give the target a name, as name=URL.`);
            }
            name = target.database;
        }
        const server = serverKey(target);
        const seen = names.get(name);
        if (seen) {
            const advice = seen.bare && bare && seen.server !== server
                ? `both name database ${name} on different servers: give each a name, as name=URL`
                : `both name the target ${name}: target names must be unique`;
            throw new ConfigurationError(`Input database-urls, lines ${seen.number} and ${number} ${advice}.`);
        }
        names.set(name, { number, bare, server });
        // libpq's default database is the user's name: without either, the key is the server's.
        const databaseKey = `${server}/${target.database ?? target.user ?? ''}`;
        const same = databases.get(databaseKey);
        if (same !== undefined) {
            throw new ConfigurationError(`Input database-urls, lines ${same} and ${number} are the same database (${target.label}): list it once.`);
        }
        databases.set(databaseKey, number);
        targets.push({ name, url, target, secrets });
    }
    if (targets.length === 0) {
        throw new ConfigurationError('Input database-urls has no targets: give one URL or name=URL per line (blank lines and # comments are ignored).');
    }
    return targets;
}
/** A name PostgreSQL can hold: not empty, no NUL, at most 63 bytes. Shown quoted and cut short. */
function checkReturnedName(input, kind, name) {
    if (name === null || name === '') {
        throw new ConfigurationError(`Input ${input} returned an empty or NULL ${kind} name: each row must be the name of a ${kind}.`);
    }
    const shown = JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}\u2026` : name);
    if (name.includes('\0') || Buffer.byteLength(name) > MAX_NAME_BYTES) {
        throw new ConfigurationError(`Input ${input} returned ${shown}, which is not a ${kind} name PostgreSQL can hold (at most 63 bytes, no NUL).`);
    }
    return shown;
}
function checkUnique(input, kind, names) {
    const seen = new Set();
    for (const name of names) {
        const shown = checkReturnedName(input, kind, name);
        if (seen.has(name)) {
            throw new ConfigurationError(`Input ${input} returned the ${kind} name ${shown} twice: each ${kind} may be a target once.`);
        }
        seen.add(name);
    }
    return [...seen];
}
/**
 * `baseUrl` with its database replaced by `database` (percent-encoded where it must be) and any
 * `dbname` query parameter dropped, so the path names the database. Everything else is kept as
 * written: user, password, host, port and the other parameters.
 */
function withDatabase(baseUrl, database) {
    const scheme = /^(postgres|postgresql):\/\//i.exec(baseUrl);
    if (!scheme) {
        throw new ConfigurationError('The database URL must start with postgres:// or postgresql://, for example postgres://user:password@host:5432/database.');
    }
    const rest = baseUrl.slice(scheme[0].length);
    const authorityEnd = rest.search(/[/?#]/);
    const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
    const after = authorityEnd === -1 ? '' : rest.slice(authorityEnd);
    const queryStart = after.indexOf('?');
    const query = queryStart === -1 ? '' : (after.slice(queryStart + 1).split('#')[0] ?? '');
    const kept = query.split('&').filter((part) => part !== '' && !part.startsWith('dbname='));
    const path = `/${encodeURIComponent(database)}`;
    return `${scheme[0]}${authority}${path}${kept.length > 0 ? `?${kept.join('&')}` : ''}`;
}
/**
 * For `databases-query`: one target per database name, on the server of `baseUrl` with the same
 * credentials, each named after its database. No names gives no targets: the caller decides
 * whether an empty fleet is an error.
 */
function targetsOnServer(baseUrl, databaseNames) {
    const secrets = secretsOf(baseUrl);
    // Checks the base URL first, so its own errors are about it and not about a database name.
    parseDatabaseUrl(baseUrl);
    return checkUnique('databases-query', 'database', databaseNames).map((database) => {
        const url = withDatabase(baseUrl, database);
        const target = parseDatabaseUrl(url);
        if (target.database !== database) {
            // Cannot happen with encodeURIComponent; refusing beats migrating the wrong database.
            throw new ConfigurationError(`Input databases-query returned a database name that could not be put in the URL: ${JSON.stringify(database)}.`);
        }
        return { name: database, url, target, secrets };
    });
}
/**
 * For `schemas-query`: one target per schema, all in the database of `baseUrl`, each named after
 * its schema and carrying it.
 */
function schemaTargets(baseUrl, schemaNames) {
    const secrets = secretsOf(baseUrl);
    const base = parseDatabaseUrl(baseUrl);
    return checkUnique('schemas-query', 'schema', schemaNames).map((schema) => ({
        name: schema,
        url: baseUrl,
        target: { ...base, label: `${schema} in ${base.label}`, searchPath: schema },
        secrets,
        schema,
    }));
}

;// CONCATENATED MODULE: ./lib/fleet/waves.js
// The order in which a fleet's targets are migrated: canaries, then bounded parallel waves (pure scheduling: no database, no logs).
function check(name, value, min) {
    if (!Number.isSafeInteger(value) || value < min) {
        throw new RangeError(`runWaves: ${name} must be a whole number of at least ${min}, not ${value}.`);
    }
}
/**
 * Runs `work` for every target and returns one outcome per target, in the targets' order.
 *
 * The first `canary` targets run one at a time, each alone: a canary proves the migrations on one
 * real database before any other is touched, and one at a time means a second canary does not
 * start after the first failed. If a canary fails, no other target starts, whatever
 * `onTargetFailure` says. The rest then run with at most `concurrency` in flight, in order.
 * A failure under `stop`, or an aborted signal, starts nothing new; running targets are never
 * interrupted here (cancelling their statements is `work`'s part, through the same signal).
 */
async function runWaves(targets, work, options) {
    check('concurrency', options.concurrency, 1);
    check('canary', options.canary, 0);
    const outcomes = new Array(targets.length);
    // The first reason to start nothing more wins: it is the one the report gives.
    let stopReason;
    const onAbort = () => {
        stopReason ??= 'the job was cancelled';
    };
    if (options.signal?.aborted)
        onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const runOne = async (index, isCanary) => {
        const target = targets[index];
        let outcome;
        try {
            const value = await work(target);
            outcome = options.isFailure?.(value)
                ? { target, status: 'failed', value }
                : { target, status: 'succeeded', value };
        }
        catch (error) {
            outcome = { target, status: 'failed', error };
        }
        outcomes[index] = outcome;
        if (outcome.status === 'failed') {
            if (isCanary)
                stopReason ??= `the canary target ${target.name} failed`;
            else if (options.onTargetFailure === 'stop') {
                stopReason ??= `${target.name} failed and on-target-failure is stop`;
            }
        }
        options.onOutcome?.(outcome);
    };
    try {
        const canaries = Math.min(options.canary, targets.length);
        for (let index = 0; index < canaries && stopReason === undefined; index++) {
            await runOne(index, true);
        }
        // Each lane takes the next target when its last one finished: at most `concurrency` in flight.
        let next = canaries;
        const lane = async () => {
            while (stopReason === undefined && next < targets.length)
                await runOne(next++, false);
        };
        const lanes = Math.min(options.concurrency, targets.length - canaries);
        await Promise.all(Array.from({ length: lanes }, lane));
    }
    finally {
        options.signal?.removeEventListener('abort', onAbort);
    }
    return targets.map((target, index) => outcomes[index] ?? {
        target,
        status: 'not started',
        reason: stopReason ?? 'the run ended before it started',
    });
}

;// CONCATENATED MODULE: ./lib/apply/errors.js



function lineInFile(migration, messageIndex, prefixLength) {
    const index = messageIndex - prefixLength;
    if (index < 0 || index > migration.sql.length)
        return undefined;
    return (0,lines/* lineAt */.mh)(migration.sql, index);
}
/**
 * What PostgreSQL said, as the report needs it, with the file's `line` when it is known: the one
 * mapping of a server error for every way a migration runs (whole, in pieces, statement by statement).
 */
function describeError(error, line) {
    const e = error;
    if (e.message === LOCK_LOST)
        return { message: POOLER_MESSAGE, code: e.code };
    return {
        message: messageOf(error),
        code: e.code,
        detail: e.detail,
        // 25001: CREATE INDEX CONCURRENTLY, VACUUM and the like refuse to run in a transaction.
        hint: e.code === '25001' ? 'add the line -- migrate:no-transaction at the top of the file' : e.hint,
        line,
    };
}
/**
 * describeError for a whole-file message: the error position mapped back to the file's line. A
 * position outside the file is in the action's own SQL around it (the tracking table's creation
 * or row), and the message says so rather than blaming the migration.
 */
function migrationError(error, migration, text, prefixLength, tracking) {
    const position = error.position;
    if (!position)
        return describeError(error);
    const line = lineInFile(migration, (0,lines/* indexOfPosition */.TT)(text, Number(position)), prefixLength);
    const described = describeError(error, line);
    if (line !== undefined || !tracking)
        return described;
    return {
        ...described,
        message: `the tracking table ${tracking.schema}.${tracking.table} could not be created or written around ${migration.name} (${described.message}); check that the role may create and write it, and that no migration changes it`,
    };
}
/** A migration's statements failed; `error` is already mapped to the file. */
class MigrationFailed extends Error {
    error;
    code;
    constructor(error, code) {
        super(error.message);
        this.error = error;
        this.code = code;
    }
}
function failureOf(error) {
    if (error instanceof MigrationFailed)
        return { mapped: error.error, code: error.code };
    const e = error;
    return { mapped: { message: messageOf(error), code: e.code }, code: e.code };
}

;// CONCATENATED MODULE: ./lib/apply/message.js



function rowOf(migration, options) {
    return {
        version: migration.version,
        key: migration.key,
        name: migration.name,
        checksum: migration.checksum,
        status: 'applied',
        appliedBy: options.appliedBy,
        replacesRolledBack: options.rolledBack?.has(migration.version),
    };
}
/**
 * Builds the one message that applies a migration: the timeouts, the file, then the bookkeeping
 * with the timeouts reset, so that they never touch the tracking row. The session is reset after
 * the file, so a `SET` or `SET ROLE` in one migration does not leak into the next or into the
 * INSERT. The prefix is a single line, so an error position maps back to the file's line.
 */
function migrationMessage(migration, options, flags) {
    const prefix = `${openingSql(options, flags)}\n`;
    // statement_timestamp() is when the server received this message: the file's time is the
    // difference to the clock when the INSERT runs.
    const elapsed = 'floor(extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000)::integer';
    const suffix = `\n;${closingSql(migration, options, flags, elapsed)}`;
    return { text: prefix + migration.sql + suffix, prefixLength: prefix.length };
}
/** What opens a migration: the transaction, the lock check, the setup and the timeouts. */
function openingSql(options, { begin, setup, previous }) {
    return [
        begin ? 'BEGIN;' : '',
        // Once per transaction: a transaction stays on one backend even behind a pooler, and pg_locks
        // grows with the locks a long `transaction: all` holds (checking each file there measured
        // 2.7\u00d7 slower for 1,000 migrations).
        begin ? (options.lockCheckSql ?? '') : '',
        previous === undefined ? '' : previousRowCheckSql(options.tracking, previous),
        setup,
        options.lockTimeout ? `SET LOCAL lock_timeout = ${literal(options.lockTimeout)};` : '',
        options.statementTimeout
            ? `SET LOCAL statement_timeout = ${literal(options.statementTimeout)};`
            : '',
    ].join('');
}
/** The message of the exception raised by previousRowCheckSql. */
const PREVIOUS_NOT_COMMITTED = 'agoat/migrate-action: the migration sent before this one did not commit';
/** SQL that fails the transaction unless `version`'s tracking row exists (see applyPipelined). */
function previousRowCheckSql(tracking, version) {
    return `DO $previous$BEGIN IF NOT EXISTS (SELECT 1 FROM ${(0,history_table/* qualifiedName */.O)(tracking)} WHERE version = ${version} AND status <> 'rolled back') THEN RAISE EXCEPTION '${PREVIOUS_NOT_COMMITTED}'; END IF; END$previous$;`;
}
/** What closes it: the session reset, the action's settings, the tracking row, the commit. */
function closingSql(migration, options, { commit, record = true }, executionMs) {
    const row = record
        ? `${insertRowSql(options.tracking, rowOf(migration, options), executionMs)};`
        : '';
    return `SET SESSION AUTHORIZATION DEFAULT;RESET ALL;${options.sessionSql}${row}${commit ? 'COMMIT;' : ''}`;
}

;// CONCATENATED MODULE: ./lib/apply/pipeline-mode.js
/**
 * How many messages may be on the wire at once, and their bytes at most. Two is enough for the
 * server never to wait for the client between migrations (the client prepares the next message
 * in a fraction of the time the server takes to run one); more would only let more start after
 * a cancellation.
 */
const PIPELINE_DEPTH = 2;
const PIPELINE_BYTES = 1 << 20;
/**
 * Runs `work` with pg's pipeline mode on: queries go on the wire as they are made instead of
 * waiting for the previous answer, and are answered in order.
 */
async function inPipelineMode(client, work) {
    const pipelined = client;
    pipelined.pipeline = true;
    try {
        return await work();
    }
    finally {
        pipelined.pipeline = false;
    }
}

;// CONCATENATED MODULE: ./lib/apply/send.js





/** One attempt at a small file: the whole migration and its row in one message. */
async function sendWhole(client, migration, options, flags) {
    const { text, prefixLength } = migrationMessage(migration, options, flags);
    try {
        await client.query(text);
    }
    catch (error) {
        const mapped = migrationError(error, migration, text, prefixLength, options.tracking);
        throw new MigrationFailed(mapped, error.code);
    }
}
/**
 * One attempt at a large file: the same transaction, timeouts and bookkeeping as sendWhole, but
 * the file goes in statement-aligned pieces of about 64 KiB, read as they are sent, so the file
 * is never held whole.
 */
async function sendInPieces(client, migration, options, flags) {
    const started = performance.now();
    const fail = (error, line) => {
        throw new MigrationFailed(describeError(error, line), error.code);
    };
    const opening = openingSql(options, flags);
    if (opening)
        await client.query(opening).catch((error) => fail(error));
    // PIPELINE_DEPTH pieces are on the wire at a time, and the next is read and split meanwhile:
    // the server never waits for the client. After an error the server refuses the piece behind
    // it (the transaction is aborted), so nothing runs past the failure.
    const pieces = (0,stream/* statementPieces */.HZ)(migration.path);
    const inFlight = [];
    await inPipelineMode(client, async () => {
        for (let done = false; !done || inFlight.length > 0;) {
            if (!done) {
                const next = await pieces.next();
                done = next.done === true;
                if (next.value) {
                    const piece = next.value;
                    const settled = client.query(piece.text).then(() => undefined, (error) => error ?? new Error('query failed'));
                    inFlight.push({ piece, settled });
                }
            }
            if (inFlight.length < PIPELINE_DEPTH && !done)
                continue;
            const head = inFlight.shift();
            if (!head)
                break;
            const error = await head.settled;
            if (!error)
                continue;
            await Promise.all(inFlight.map((m) => m.settled));
            await pieces.return(undefined);
            const position = error.position;
            const index = position ? (0,lines/* indexOfPosition */.TT)(head.piece.text, Number(position)) : undefined;
            fail(error, index === undefined
                ? undefined
                : await (0,stream/* lineAtIndex */.Ew)(migration.path, head.piece.start + index));
        }
    });
    const elapsed = String(Math.round(performance.now() - started));
    await client
        .query(closingSql(migration, options, flags, elapsed))
        .catch((error) => fail(error));
}
/** Sends one migration in its transaction, whole or in pieces by its size. */
function sendMigration(client, migration, options, flags) {
    const send = (0,stream/* isLarge */.sV)(migration) ? sendInPieces : sendWhole;
    return send(client, migration, options, flags);
}

;// CONCATENATED MODULE: ./lib/apply/rehearse.js







/**
 * Executes the pending transactional migrations in order inside one transaction that is always
 * rolled back, also on error and on cancellation, and says for each whether it worked and how
 * long it took. It stops before the first `no-transaction` file, which cannot run inside a
 * transaction: that file and every later one are `not rehearsed`.
 */
async function rehearse(client, pending, options, observer, reversal) {
    const outcomes = pending.map((migration) => ({
        migration,
        status: 'not attempted',
    }));
    const blocked = pending.findIndex((m) => m.noTransaction);
    if (blocked !== -1) {
        for (const outcome of outcomes.slice(blocked)) {
            outcome.status = 'not rehearsed';
            outcome.note =
                outcome.migration === pending[blocked]
                    ? 'runs without a transaction, so it cannot be rehearsed'
                    : `after ${pending[blocked]?.name}, which cannot be rehearsed`;
        }
    }
    // The action's session settings first: the rehearsal reads strings as the real run does.
    await client.query(`${options.sessionSql}BEGIN`);
    // After a failed statement the transaction is aborted: nothing more can be read in it.
    let aborted = false;
    try {
        await observer?.start();
        for (const outcome of outcomes) {
            if (outcome.status !== 'not attempted' || options.signal?.aborted)
                break;
            const started = performance.now();
            try {
                // The first creates the tracking table as the real run would (setupSql), so the
                // rehearsal sees what the real run will see.
                const setup = outcome === outcomes[0] ? options.setupSql : '';
                const flags = { begin: false, commit: false, setup, record: false };
                const down = reversal && outcome.migration.down;
                const beforeUp = down && !down.noTransaction ? await reversal.snapshot() : undefined;
                if (observer && !(0,stream/* isLarge */.sV)(outcome.migration)) {
                    await runByStatement(client, outcome.migration, options, flags, observer);
                }
                else {
                    await sendMigration(client, outcome.migration, options, flags);
                }
                outcome.status = 'rehearsed';
                if (down?.noTransaction) {
                    outcome.reversal = 'down SQL not rehearsed: it runs without a transaction';
                }
                else if (down && reversal) {
                    outcome.reversal = await proveReversal(client, outcome.migration, options, reversal, beforeUp);
                }
            }
            catch (error) {
                outcome.status = 'failed';
                outcome.error = failureOf(error).mapped;
                aborted = true;
                return outcomes;
            }
            finally {
                outcome.durationMs = Math.round(performance.now() - started);
            }
        }
        return outcomes;
    }
    finally {
        // Whatever happened, nothing of the rehearsal stays (the observer reads before it goes).
        let finished = false;
        try {
            if (observer && !aborted && !options.signal?.aborted) {
                await observer.finish();
                finished = true;
            }
        }
        finally {
            await client.query('ROLLBACK');
        }
        if (finished)
            await observer?.rolledBack?.();
    }
}
const REVERSAL_SAVEPOINT = 'agoat_migrate_reversal';
/**
 * Up (already run), down, then up again, behind a savepoint: the schema after the down must equal
 * the schema before the up, and the up must run again after its down. A down or second up that
 * fails is rolled back to the savepoint (the state after the first up), so the rehearsal goes on
 * with the next migration; the sentence says what failed, at the file's line.
 */
async function proveReversal(client, migration, options, reversal, beforeUp) {
    const down = migration.down;
    if (!down)
        return '';
    const flags = { begin: false, commit: false, setup: '', record: false };
    await client.query(`SAVEPOINT ${REVERSAL_SAVEPOINT}`);
    let step = 'the down SQL';
    let verdict;
    try {
        // One line of prefix, then the down SQL after a blank line per file line: an error position
        // maps to the file's own line.
        const text = `${openingSql(options, flags)}\n${(0,files_down/* downTextWithFileLines */.B)(down.sql, down.line).slice(1)}\n;${closingSql(migration, options, flags, '0')}`;
        try {
            await client.query(text);
        }
        catch (error) {
            const position = error.position;
            const line = position ? (0,lines/* lineAt */.mh)(text, (0,lines/* indexOfPosition */.TT)(text, Number(position))) : undefined;
            throw new MigrationFailed(describeError(error, line && line > 1 ? line : undefined), undefined);
        }
        const afterDown = await reversal.snapshot();
        verdict = reversal.compare(beforeUp, afterDown);
        step = 'the up SQL run again after the down';
        await sendMigration(client, migration, options, flags);
        await client.query(`RELEASE SAVEPOINT ${REVERSAL_SAVEPOINT}`);
        return verdict;
    }
    catch (error) {
        await client.query(`ROLLBACK TO SAVEPOINT ${REVERSAL_SAVEPOINT}`);
        await client.query(`RELEASE SAVEPOINT ${REVERSAL_SAVEPOINT}`);
        const { mapped } = failureOf(error);
        // What the down left behind is the cause; the up failing again is its consequence.
        if (verdict !== undefined && verdict !== 'reversible') {
            return `${verdict}, so the up SQL fails when run again (${mapped.message})`;
        }
        const where = mapped.line
            ? ` at ${step === 'the down SQL' ? down.file : migration.name} line ${mapped.line}`
            : '';
        return `not reversible: ${step} failed${where}: ${mapped.message}`;
    }
}
/**
 * One migration statement by statement, with the same timeouts and session reset as its one
 * message would have, so the observer sees what each statement does.
 */
async function runByStatement(client, migration, options, flags, observer) {
    const sql = migration.sql;
    const opening = openingSql(options, flags);
    if (opening)
        await client.query(opening);
    for (const statement of (0,sql_splitter/* splitSql */.b)(sql)) {
        const text = sql.slice(statement.start, statement.end);
        await observer.before();
        try {
            await client.query(text);
        }
        catch (error) {
            const position = error.position;
            const index = position ? (0,lines/* indexOfPosition */.TT)(text, Number(position)) : undefined;
            const line = index === undefined ? statement.line : (0,lines/* lineAt */.mh)(sql, statement.start + index);
            throw new MigrationFailed(describeError(error, line), error.code);
        }
        const quoted = text.endsWith(';') ? text.slice(0, -1).trimEnd() : text;
        await observer.after(migration, { text: quoted, line: statement.line });
    }
    await client.query(closingSql(migration, options, flags, '0'));
}

// EXTERNAL MODULE: ./lib/review/observe/errors.js
var errors = __nccwpck_require__(7976);
;// CONCATENATED MODULE: ./lib/commands/dry-run.js
// A dry run of migrate: what would be applied, and the rehearsal when asked. Writes nothing.








/**
 * The review's code (its rules, the catalog readers) is a chunk of its own in dist/, loaded only
 * by a dry run that reviews: a deploy run never compiles it.
 */
const reviewing = () => __nccwpck_require__.e(/* import() */ 642).then(__nccwpck_require__.bind(__nccwpck_require__, 8642));
// A rehearsal holds the locks its statements take until the rollback: keep it short and polite.
const REHEARSAL_LOCK_TIMEOUT = '5s';
const REHEARSAL_STATEMENT_TIMEOUT = '60s';
/**
 * A dry run writes nothing: it reports what would be applied, reviews it (unless `safety: off`)
 * and, asked to, rehearses it.
 */
async function dryRun(context, plan) {
    const count = plan.pending.length;
    const applying = new Set(plan.pending);
    const entries = plan.entries.map((e) => e.status === 'pending' && e.migration && applying.has(e.migration)
        ? { ...e, status: 'would apply' }
        : e);
    const planned = { ...plan, entries };
    const review = count > 0 && context.settings.safety !== 'off'
        ? await (await reviewing()).startReview(context, plan)
        : undefined;
    if (count === 0 || !context.settings.rehearse) {
        const base = report(context, planned, {
            result: count > 0 ? 'pending' : 'up-to-date',
            verdict: count > 0
                ? `Dry run: ${(0,model/* plural */.LS)(count, 'migration')} would be applied; nothing was written.`
                : `Dry run: up to date, ${appliedWords(plan)}, nothing would be written.`,
        });
        return withReview(base, review && (await reviewing()).finishReview(context, review));
    }
    return rehearsal(context, planned, review);
}
/**
 * The report with its review; under `safety: fail` an unacknowledged danger fails it, with the
 * dangers named in the verdict.
 */
function withReview(base, review) {
    if (!review)
        return base;
    const dangers = review.mode === 'fail'
        ? review.risks.filter((r) => r.level === 'danger' && r.acknowledged === undefined)
        : [];
    if (dangers.length === 0 || base.result === 'failed')
        return { ...base, review };
    const named = dangers
        .slice(0, 3)
        .map((r) => `${r.rule} in ${r.file} line ${r.line}`)
        .join(', ');
    const more = dangers.length > 3 ? `, and ${dangers.length - 3} more` : '';
    return {
        ...base,
        review,
        result: 'failed',
        verdict: `Safety review: ${(0,model/* plural */.LS)(dangers.length, 'danger')} not acknowledged (${named}${more}), and safety is fail: write ${dangers.length === 1 ? 'it' : 'them'} the safer way the review gives, or acknowledge each with -- migrate:allow <rule> <reason>. ${base.verdict}`,
    };
}
async function rehearsal(context, plan, review) {
    const { settings, db, tracking } = context;
    const lock = await tryLockOnce(db.client, tracking);
    if ('holder' in lock) {
        context.warn(`Rehearsal skipped: another run holds the migration lock (${lock.holder}); a rehearsal never waits behind a deploy.`);
        const skipped = report(context, plan, {
            result: 'pending',
            verdict: `Dry run: ${(0,model/* plural */.LS)(plan.pending.length, 'migration')} would be applied; the rehearsal was skipped because another run holds the migration lock.`,
        });
        return withReview(skipped, review && (await reviewing()).finishReview(context, review));
    }
    const observer = review && (await reviewing()).observerFor(context, review);
    // Every pending migration with down SQL is also run down and up again: its proof.
    const reversalNotes = [];
    const reversal = plan.pending.some((m) => m.down)
        ? (await reviewing()).reversalProbe(db.client, reversalNotes)
        : undefined;
    let outcomes;
    try {
        outcomes = await rehearse(db.client, plan.pending, {
            tracking,
            transaction: 'all',
            lockTimeout: settings.lockTimeout ?? REHEARSAL_LOCK_TIMEOUT,
            statementTimeout: settings.statementTimeout ?? REHEARSAL_STATEMENT_TIMEOUT,
            appliedBy: appliedBy(),
            sessionSql: (0,session/* sessionSettingsSql */.Cb)(db.serverMajor),
            // A fresh database gets its tracking table first in the real run: the rehearsal creates
            // it too, inside its rolled-back transaction.
            setupSql: await readyForRowsSql(db.client, tracking, (await context.history).exists, plan.pending),
            signal: context.signal,
            log: context.log,
        }, observer, reversal);
    }
    finally {
        await releaseLock(db.client, lock.key);
    }
    // A rehearsal of many files in one transaction can run out of lock table space: that is the
    // rehearsal's limit, not the migration failing, and the dry run reports what it could.
    const outOfLocks = outcomes.find((o) => o.status === 'failed' && o.error?.code === '53200');
    if (outOfLocks) {
        review?.notes.push((0,errors/* lockLimitSentence */.eA)());
        for (const o of outcomes.slice(outcomes.indexOf(outOfLocks))) {
            if (o.status === 'failed' || o.status === 'not attempted') {
                o.status = 'not rehearsed';
                o.note = 'the rehearsal ran out of lock table space (max_locks_per_transaction)';
                o.error = undefined;
            }
        }
    }
    for (const note of reversalNotes)
        context.warn(note);
    for (const o of outcomes) {
        if (o.reversal && o.reversal !== 'reversible') {
            context.warn(`${o.migration.name}: ${o.reversal}.`);
        }
    }
    const reviewed = review && (await reviewing()).finishReview(context, review, observer);
    const byVersion = new Map(outcomes.map((o) => [o.migration.version, o]));
    const entries = plan.entries.map((entry) => {
        const outcome = byVersion.get(entry.version);
        if (!outcome)
            return entry;
        const note = outcome.error
            ? `${outcome.error.line ? `line ${outcome.error.line}: ` : ''}${outcome.error.message}`
            : [outcome.note, outcome.reversal].filter(Boolean).join('; ') || undefined;
        return { ...entry, status: outcome.status, durationMs: outcome.durationMs, note };
    });
    const failed = outcomes.find((o) => o.status === 'failed');
    const rehearsed = outcomes.filter((o) => o.status === 'rehearsed').length;
    const skipped = outcomes.filter((o) => o.status === 'not rehearsed').length;
    const unrehearsed = skipped > 0 ? ` (${skipped} not rehearsed)` : '';
    const base = report(context, { ...plan, entries }, { result: 'pending', verdict: '' });
    if (failed) {
        return withReview({
            ...base,
            result: 'failed',
            failure: failed.error && { file: failed.migration.name, ...failed.error },
            verdict: `Rehearsal failed: ${failed.migration.name}${failed.error?.line ? ` line ${failed.error.line}` : ''}: ${failed.error?.message}. Everything was rolled back.`,
        }, reviewed);
    }
    return withReview({
        ...base,
        verdict: `Dry run: ${(0,model/* plural */.LS)(plan.pending.length, 'migration')} would be applied; ${rehearsed} rehearsed successfully${unrehearsed} and rolled back.`,
    }, reviewed);
}

;// CONCATENATED MODULE: ./lib/apply/no-transaction.js







const INVALID_INDEXES = 'SELECT indexrelid::regclass::text AS name FROM pg_index WHERE NOT indisvalid ORDER BY 1';
async function invalidIndexes(client) {
    const { rows } = await client.query(INVALID_INDEXES);
    return rows.map((r) => r.name);
}
/**
 * Runs a `-- migrate:no-transaction` file outside any transaction, one statement at a time (what
 * `CREATE INDEX CONCURRENTLY` needs). Its row is committed as `running` before the first
 * statement, so a killed job leaves evidence; it becomes `applied` after the last, or `failed`
 * when a statement fails: the database may then be half-changed, and a person must look.
 */
async function applyWithoutTransaction(client, outcome, statements, options) {
    const { migration } = outcome;
    const table = (0,history_table/* qualifiedName */.O)(options.tracking);
    if (options.lockCheckSql) {
        await client.query(options.lockCheckSql).catch((error) => {
            throw error.message === LOCK_LOST ? new ConfigurationError(POOLER_MESSAGE) : error;
        });
    }
    const before = new Set(await invalidIndexes(client));
    const row = {
        version: migration.version,
        key: migration.key,
        name: migration.name,
        checksum: migration.checksum,
        status: 'running',
        appliedBy: options.appliedBy,
        replacesRolledBack: options.rolledBack?.has(migration.version),
    };
    await client.query(insertRowSql(options.tracking, row, '0'));
    const timeouts = [
        options.lockTimeout ? `SET lock_timeout = ${literal(options.lockTimeout)};` : '',
        options.statementTimeout ? `SET statement_timeout = ${literal(options.statementTimeout)};` : '',
    ].join('');
    if (timeouts)
        await client.query(timeouts);
    const started = performance.now();
    let failure;
    for await (const statement of statements) {
        if (options.signal?.aborted) {
            failure = { error: new Error('the job was cancelled before this statement'), statement };
            break;
        }
        try {
            await client.query(statement.text);
        }
        catch (error) {
            failure = { error, statement };
            break;
        }
    }
    outcome.durationMs = Math.round(performance.now() - started);
    // The bookkeeping runs without the migration's timeouts and as the session's own user.
    const status = failure ? 'failed' : 'applied';
    await client.query(`SET SESSION AUTHORIZATION DEFAULT;RESET ALL;${options.sessionSql}UPDATE ${table} SET status = ${literal(status)}, execution_ms = ${outcome.durationMs}, applied_at = now() WHERE version = ${migration.version}`);
    if (!failure) {
        outcome.status = 'applied';
        options.log(`Applied ${migration.name} (no transaction) in ${outcome.durationMs} ms.`);
        return;
    }
    const position = failure.error.position;
    const within = position ? (0,lines/* indexOfPosition */.TT)(failure.statement.text, Number(position)) : 0;
    outcome.status = 'failed';
    // The statement's own line and the lines before the position within it: the file itself is
    // not read again (a large one is never held whole).
    outcome.error = describeError(failure.error, failure.statement.line + (0,lines/* lineAt */.mh)(failure.statement.text, within) - 1);
    outcome.invalidIndexes = (await invalidIndexes(client)).filter((name) => !before.has(name));
}

;// CONCATENATED MODULE: ./lib/apply/retry.js
// The retry policy for a migration that timed out waiting for a lock (SQLSTATE 55P03).

/** The pause before retry `attempt` (1-based) of a migration that timed out on a lock. */
function retryPause(attempt, random = Math.random) {
    const base = Math.min(1000 * 2 ** (attempt - 1), 30_000);
    return Math.round(base / 2 + random() * (base / 2));
}
/**
 * Whether a failed attempt is to be tried again: it failed only for want of a lock (SQLSTATE
 * 55P03, from lock_timeout), retries are left, and each migration has its own transaction (a
 * retry inside `all` would run without the earlier files' work, which the failure rolled back).
 * The attempt was rolled back; this logs why and waits the pause before the retry.
 */
async function pausedForRetry(migration, mapped, code, attempt, options) {
    const retries = options.lockRetries ?? 0;
    const all = options.transaction === 'all';
    if (code !== '55P03' || all || attempt > retries || options.signal?.aborted)
        return false;
    const pause = retryPause(attempt);
    options.log(`${migration.name} timed out waiting for a lock (${mapped.message}); rolled back, retry ${attempt} of ${retries} in ${(pause / 1000).toFixed(1)} s.`);
    await (0,promises_namespaceObject.setTimeout)(pause);
    return true;
}

;// CONCATENATED MODULE: ./lib/apply/pipeline.js




/**
 * Applies small transactional migrations, each in one message, with the next message sent while
 * the server runs the current one: the server never waits a round trip between migrations. This
 * is safe because nothing behind a failure can commit. An error leaves the transaction aborted,
 * and PostgreSQL refuses every later statement, COMMIT included, until the ROLLBACK sent here
 * once the failed message's answer is in. A message sent behind another also starts by checking
 * that the other's tracking row exists, which covers the one failure after which the session is
 * not left aborted: a COMMIT that fails (a deferred constraint). A migration that timed out on a
 * lock (55P03) is retried from where it failed, up to `lockRetries` times. Returns the failed
 * outcome, if any; the ones behind it stay `not attempted`.
 */
async function applyPipelined(client, run, firstIndex, options, flagsOf) {
    const inFlight = [];
    let bytes = 0;
    let next = 0;
    let attempt = 1;
    let lastDone = performance.now();
    const send = (position) => {
        const outcome = run[position];
        const flags = flagsOf(firstIndex + position);
        // Within `transaction: all` nothing commits before the end, and an error aborts the one
        // transaction: only a message that commits on its own needs the check.
        const previous = flags.begin ? inFlight.at(-1)?.outcome.migration.version : undefined;
        const { text, prefixLength } = migrationMessage(outcome.migration, options, {
            ...flags,
            previous,
        });
        const sentAt = performance.now();
        const settled = client.query(text).then(() => ({ at: performance.now() }), (error) => ({ at: performance.now(), error }));
        inFlight.push({ outcome, position, sentAt, settled, text, prefixLength });
        bytes += text.length;
    };
    return inPipelineMode(client, async () => {
        while (next < run.length || inFlight.length > 0) {
            while (next < run.length &&
                !options.signal?.aborted &&
                (inFlight.length === 0 ||
                    (inFlight.length < PIPELINE_DEPTH &&
                        bytes + (run[next]?.migration.size ?? 0) <= PIPELINE_BYTES))) {
                send(next++);
            }
            const head = inFlight.shift();
            if (!head)
                break; // cancelled with nothing on the wire
            const { at, error } = await head.settled;
            bytes -= head.text.length;
            const { outcome } = head;
            outcome.durationMs = Math.round(at - Math.max(lastDone, head.sentAt));
            lastDone = at;
            if (!error) {
                outcome.status = 'applied';
                attempt = 1;
                options.log(`Applied ${outcome.migration.name} in ${outcome.durationMs} ms.`);
                // A message already sent would still run: ask the server to cancel it.
                if (options.signal?.aborted && inFlight.length > 0)
                    options.cancelRunning?.();
                continue;
            }
            // Everything behind the failure was refused; then the transaction is rolled back.
            await Promise.all(inFlight.map((m) => m.settled));
            inFlight.length = 0;
            bytes = 0;
            await client.query('ROLLBACK').catch(() => undefined);
            const mapped = migrationError(error, outcome.migration, head.text, head.prefixLength, options.tracking);
            const code = error.code;
            if (await pausedForRetry(outcome.migration, mapped, code, attempt, options)) {
                attempt++;
                next = head.position;
                continue;
            }
            outcome.status = 'failed';
            outcome.error = mapped;
            return outcome;
        }
        return undefined;
    });
}

;// CONCATENATED MODULE: ./lib/apply/apply.js






/**
 * Runs one transactional migration (in its own transaction unless `all`), retrying up to
 * `lockRetries` times when it failed only for want of a lock (SQLSTATE 55P03, from lock_timeout):
 * the attempt is rolled back, so a retry starts clean.
 */
async function applyInTransaction(client, outcome, options, flags) {
    const { migration } = outcome;
    for (let attempt = 1;; attempt++) {
        const started = performance.now();
        try {
            await sendMigration(client, migration, options, flags);
            outcome.status = 'applied';
            outcome.durationMs = Math.round(performance.now() - started);
            options.log(`Applied ${migration.name} in ${outcome.durationMs} ms.`);
            return;
        }
        catch (error) {
            outcome.durationMs = Math.round(performance.now() - started);
            await client.query('ROLLBACK').catch(() => undefined);
            const { mapped, code } = failureOf(error);
            if (await pausedForRetry(migration, mapped, code, attempt, options))
                continue;
            outcome.status = 'failed';
            outcome.error = mapped;
            return;
        }
    }
}
/**
 * Applies the pending migrations in order and stops at the first failure. With `per-migration`
 * each file and its row commit together in one message; with `all` every file and row commit
 * in one transaction, one message per file. Small files are pipelined (see applyPipelined). A
 * failed transaction is rolled back, so it leaves no trace and is tried again next run. A
 * `no-transaction` file runs statement by statement. When `signal` aborts (the job was
 * cancelled), no further migration is sent.
 */
async function applyMigrations(client, pending, options) {
    const outcomes = pending.map((migration) => ({ migration, status: 'not attempted' }));
    const all = options.transaction === 'all';
    // The tracking table is created with the first migration, in its transaction.
    const flagsOf = (index) => ({
        // With `all`, the first message opens the one transaction and the last commits it.
        begin: !all || index === 0,
        commit: !all || index === outcomes.length - 1,
        setup: index === 0 ? options.setupSql : '',
    });
    for (let index = 0; index < outcomes.length;) {
        if (options.signal?.aborted)
            break;
        const outcome = outcomes[index];
        let failed;
        if (outcome.migration.noTransaction) {
            // Split by PostgreSQL's parser in the pre-flight check, or (a file too large for it) by
            // the streaming splitter as it runs.
            const statements = options.statements?.get(outcome.migration.version) ?? (0,stream/* statementsOf */.GX)(outcome.migration.path);
            if (index === 0 && options.setupSql)
                await client.query(`BEGIN;${options.setupSql}COMMIT;`);
            await applyWithoutTransaction(client, outcome, statements, options);
            if (outcome.status === 'failed')
                failed = outcome;
            index++;
        }
        else if ((0,stream/* isLarge */.sV)(outcome.migration)) {
            await applyInTransaction(client, outcome, options, flagsOf(index));
            if (outcome.status === 'failed')
                failed = outcome;
            index++;
        }
        else {
            let end = index + 1;
            while (end < outcomes.length && isPipelined(outcomes[end]))
                end++;
            failed = await applyPipelined(client, outcomes.slice(index, end), index, options, flagsOf);
            index = end;
        }
        if (failed) {
            if (all)
                rollBackEarlier(outcomes, failed);
            return outcomes;
        }
    }
    // Cancelled with `all` before the last file was sent: what ran is still open and uncommitted.
    // Roll it back rather than commit half.
    if (all &&
        outcomes.some((o) => o.status === 'not attempted') &&
        outcomes[0]?.status === 'applied') {
        await client.query('ROLLBACK');
        rollBackEarlier(outcomes, undefined);
    }
    return outcomes;
}
/** A small transactional file: its whole migration goes in one message. */
function isPipelined(outcome) {
    const { migration } = outcome;
    return !(0,stream/* isLarge */.sV)(migration) && !migration.noTransaction;
}
function rollBackEarlier(outcomes, failed) {
    for (const outcome of outcomes) {
        if (outcome === failed)
            break;
        if (outcome.status === 'applied')
            outcome.status = 'rolled back';
    }
}

;// CONCATENATED MODULE: ./lib/commands/migrate.js
// command: migrate: checks, takes the lock, re-reads the history, applies what is pending, and says what happened.










function upToDate(context, plan) {
    return report(context, plan, {
        result: 'up-to-date',
        verdict: `Up to date: ${appliedWords(plan)}, nothing to do.`,
    });
}
/**
 * `migrate`: find every problem before writing; in a dry run report what would be applied;
 * otherwise take the lock, re-read the history, and apply what is still pending.
 */
async function migrate(context) {
    const { settings } = context;
    const first = await context.history;
    const plan = await planOf(context, first.rows, { underLock: false });
    if (plan.stops)
        return stoppedReport(context, plan);
    if (settings.dryRun)
        return withImport(context, await dryRun(context, plan));
    // An import of another tool's history is work too: its rows are written under the lock.
    if (plan.pending.length === 0 && context.adoption?.imported === undefined) {
        return upToDate(context, plan);
    }
    // Everything below writes: one run at a time, and the history as it is under the lock.
    return underLock(context, (key) => migrateUnderLock(context, key, plan));
}
async function migrateUnderLock(context, key, first) {
    const { settings, db, tracking, log } = context;
    const sessionSql = (0,session/* sessionSettingsSql */.Cb)(db.serverMajor);
    if (sessionSql)
        await db.client.query(sessionSql);
    let locked = await readHistory(db.client, tracking);
    if (context.adoption)
        locked = await context.adoption.writeUnderLock(locked, appliedBy(), log);
    const plan = await planOf(context, locked.rows, { underLock: true, checked: first.checks });
    if (plan.stops)
        return withImport(context, stoppedReport(context, plan));
    if (plan.pending.length === 0)
        return withImport(context, upToDate(context, plan));
    const options = {
        tracking,
        transaction: settings.transaction,
        lockTimeout: settings.lockTimeout,
        statementTimeout: settings.statementTimeout,
        appliedBy: appliedBy(),
        sessionSql,
        // Also checks the role may create or write the table, before anything runs.
        setupSql: (await createHistorySql(db.client, tracking, {
            update: plan.pending.some((m) => m.noTransaction),
        })) + (await versionKeySql(db.client, tracking, plan.pending)),
        lockRetries: settings.lockRetries,
        lockCheckSql: lockHeldCheckSql(key),
        statements: new Map([...plan.checks].flatMap(([version, check]) => check.statements ? [[version, check.statements]] : [])),
        rolledBack: rolledBackVersions(locked.rows),
        signal: context.signal,
        cancelRunning: context.cancelRunning,
        log,
    };
    const outcomes = await applyMigrations(db.client, plan.pending, options);
    return withImport(context, appliedReport(context, plan, outcomes));
}
/** The report with the rows the import of another tool's history wrote, or would write. */
function withImport(context, result) {
    const changes = context.adoption?.changes(context.settings.dryRun) ?? [];
    if (changes.length === 0)
        return result;
    const withChanges = { ...result, changes: [...changes, ...result.changes] };
    // A dry run that would write the import has something to do, as a dry-run baseline has.
    if (context.settings.dryRun && result.result === 'up-to-date') {
        const what = `${(0,model/* plural */.LS)(changes.length, 'migration')} of the other tool's history would be recorded as baseline; nothing was written.`;
        return { ...withChanges, result: 'pending', verdict: `Dry run: ${what}` };
    }
    return withChanges;
}
/** Versions whose row says `rolled back`: applying one again replaces its row. */
function rolledBackVersions(rows) {
    const versions = rows.filter((row) => row.status === 'rolled back').map((row) => row.version);
    return versions.length > 0 ? new Set(versions) : undefined;
}
function appliedReport(context, plan, outcomes) {
    const byVersion = new Map(outcomes.map((o) => [o.migration.version, o]));
    const entries = plan.entries.map((entry) => {
        const outcome = byVersion.get(entry.version);
        if (!outcome)
            return entry;
        const note = outcome.status === 'rolled back'
            ? 'rolled back with the failed migration (transaction: all)'
            : outcome.error
                ? errorNote(outcome)
                : undefined;
        return {
            ...entry,
            status: outcome.status === 'rolled back' ? 'pending' : outcome.status,
            durationMs: outcome.durationMs,
            note,
        };
    });
    const applied = outcomes.filter((o) => o.status === 'applied');
    const failed = outcomes.find((o) => o.status === 'failed');
    const total = applied.reduce((sum, o) => sum + (o.durationMs ?? 0), 0);
    const base = { ...report(context, plan, { result: 'applied', verdict: '' }), entries };
    if (!failed && context.signal?.aborted) {
        const left = outcomes.filter((o) => o.status !== 'applied').length;
        return {
            ...base,
            result: 'failed',
            verdict: `The job was cancelled: ${(0,model/* plural */.LS)(applied.length, 'migration')} applied, ${left} not attempted.`,
        };
    }
    if (!failed) {
        return {
            ...base,
            result: 'applied',
            verdict: `Applied ${(0,model/* plural */.LS)(applied.length, 'migration')} in ${(0,model/* formatDuration */.a3)(total)}.`,
        };
    }
    const findings = [...plan.findings];
    if (failed.migration.noTransaction) {
        const invalid = failed.invalidIndexes ?? [];
        const indexes = invalid.length > 0
            ? ` It left ${(0,model/* plural */.LS)(invalid.length, 'INVALID index', 'INVALID indexes')} (${invalid.join(', ')}): drop ${invalid.length === 1 ? 'it' : 'them'} with DROP INDEX CONCURRENTLY.`
            : '';
        findings.push({
            kind: 'failed',
            version: failed.migration.version,
            file: failed.migration.name,
            line: failed.error?.line,
            message: `${failed.migration.name} ran without a transaction and failed part-way, so the database may be half-changed: its row is recorded as failed; check the database, then run command: repair.${indexes}`,
            stops: true,
        });
    }
    const notAttempted = outcomes.filter((o) => o.status === 'not attempted').length;
    const before = context.settings.transaction === 'all'
        ? 'Nothing was applied (transaction: all).'
        : `${(0,model/* plural */.LS)(applied.length, 'migration')} applied before it, ${notAttempted} not attempted.`;
    const cancelled = context.signal?.aborted ? ' The job was cancelled.' : '';
    return {
        ...base,
        findings,
        failure: failed.error && { file: failed.migration.name, ...failed.error },
        result: 'failed',
        verdict: `${failed.migration.name} failed${failed.error?.line ? ` at line ${failed.error.line}` : ''}: ${failed.error?.message ?? 'unknown error'}. ${before}${cancelled}`,
    };
}
function errorNote(outcome) {
    const error = outcome.error;
    if (!error)
        return '';
    const where = error.line ? `line ${error.line}: ` : '';
    const hint = error.hint ? ` (hint: ${error.hint})` : '';
    return `${where}${error.message}${hint}`;
}

;// CONCATENATED MODULE: ./lib/commands/validate.js
// command: validate: the findings and the status table, read only: no lock, no writes.


/** `validate`: the findings and the status table; read only, no lock, never creates the table. */
async function validate(context) {
    const history = await context.history;
    const plan = await planOf(context, history.rows, { underLock: false });
    if (plan.stops)
        return stoppedReport(context, plan);
    const count = plan.pending.length;
    return report(context, plan, {
        result: count > 0 ? 'pending' : 'up-to-date',
        verdict: count > 0
            ? `Valid: ${(0,model/* plural */.LS)(count, 'migration')} pending, no problem found.`
            : `Valid and up to date: ${(0,model/* plural */.LS)(plan.entries.length, 'migration')} applied.`,
    });
}

;// CONCATENATED MODULE: ./lib/commands/fleet.js
// A fleet run: the targets, every target checked read-only before any is written, then the waves; each target runs the single-database command.















const NOT_PENDING_STATUSES = new Set(['applied', 'already applied', 'baseline']);
/**
 * The highest version applied after the run, as its label. The entries are in the layout's order
 * (Flyway's `1.27` after `1.7`), so the last one applied is the highest.
 */
function fleet_versionOf(report) {
    const highest = report.entries.findLast((entry) => NOT_PENDING_STATUSES.has(entry.status));
    return (highest && (highest.key === undefined ? highest.version.toString() : (0,model/* versionLabel */.dp)(highest)));
}
/** A target's line in the fleet report, from its single-database report. */
function targetResult(name, report) {
    const problem = report.result === 'failed' || report.result === 'drift';
    const detail = problem
        ? [
            ...report.findings.filter((f) => f.stops).map((f) => f.message),
            ...(report.failure
                ? [
                    `${report.failure.file}${report.failure.line ? ` line ${report.failure.line}` : ''}: ${report.failure.message}`,
                ]
                : []),
        ]
        : [];
    return {
        name,
        result: report.result,
        applied: (0,model/* appliedVersions */.$C)(report.entries),
        pending: (0,model/* pendingVersions */.jZ)(report.entries),
        version: fleet_versionOf(report),
        ...(problem && { error: report.verdict }),
        ...(detail.length > 0 && { detail }),
    };
}
/** Runs the query of `databases-query` or `schemas-query` in a read-only transaction. */
async function namesFromQuery(settings, kind, query, log) {
    const db = await connect(settings.target, settings.connectTimeoutSeconds, log);
    try {
        await db.client.query('BEGIN TRANSACTION READ ONLY');
        let result;
        try {
            result = await db.client.query({ text: query, rowMode: 'array' });
        }
        catch (error) {
            if (error instanceof esm.DatabaseError) {
                throw new ConfigurationError(`Input ${kind} failed on the server: ${error.message}.`);
            }
            throw error;
        }
        if (Array.isArray(result) || result.fields.length !== 1) {
            throw new ConfigurationError(`Input ${kind} must be one SELECT that returns one column of names, but it returned ${Array.isArray(result) ? `${result.length} results` : (0,model/* plural */.LS)(result.fields.length, 'column')}.`);
        }
        return result.rows.map((row) => (row[0] == null ? null : String(row[0])));
    }
    finally {
        await db.client.end().catch(() => undefined);
    }
}
/** Every target of the fleet, before the shard takes its share. */
async function allTargets(settings, fleet, log) {
    const { source } = fleet;
    if (source.kind === 'list')
        return fleet.targets ?? [];
    const names = await namesFromQuery(settings, source.kind, source.query, log);
    const targets = source.kind === 'databases-query'
        ? targetsOnServer(source.databaseUrl, names)
        : schemaTargets(source.databaseUrl, names);
    if (targets.length === 0) {
        const what = source.kind === 'databases-query' ? 'database' : 'schema';
        throw new ConfigurationError(`Input ${source.kind} returned no ${what} names, so there is no target to migrate: check the query.`);
    }
    return targets;
}
/**
 * Runs the command on every target of this job's shard. Every target is checked first, read
 * only and at most `concurrency` at a time; if any cannot be reached or has a finding that stops
 * a run, nothing is written anywhere. Then the targets with work left run in waves (the canaries
 * alone first), each exactly as a single database: its own connection, lock, history and
 * transactions. The migration files are read once for all.
 */
async function runFleet(settings, hooks) {
    const fleet = settings.fleet;
    if (!fleet)
        throw new Error('runFleet: the settings name no fleet.');
    if (settings.command === 'baseline' || settings.command === 'repair') {
        throw new ConfigurationError(`command: ${settings.command} works on one database at a time: give it database-url, not database-urls, databases-query or schemas-query.`);
    }
    const kind = fleet.source.kind === 'schemas-query' ? 'schema' : 'database';
    // The files are read once for the whole fleet, in the folder's layout.
    const reading = readFolder(settings.migrationsDir, {
        layout: settings.layout,
        skipGo: settings.skipGoMigrations,
    });
    reading.catch(() => undefined);
    const every = await allTargets(settings, fleet, hooks.log);
    const discovery = await reading;
    const { shard } = fleet;
    const targets = shard ? every.filter((t) => inShard(t.name, shard)) : every;
    if (shard) {
        hooks.log(`Shard ${shard.index}/${shard.count}: ${(0,model/* plural */.LS)(targets.length, kind)} of ${every.length}.`);
    }
    // The open connections of the targets in flight: a cancelled job cancels each one's statement.
    const inFlight = new Set();
    const onAbort = () => {
        for (const { target, db } of inFlight)
            void cancelRunning(target.target, db.client);
    };
    hooks.signal.addEventListener('abort', onAbort, { once: true });
    try {
        return await checkThenRun(settings, fleet, discovery, targets, kind, hooks, inFlight);
    }
    finally {
        hooks.signal.removeEventListener('abort', onAbort);
    }
}
async function checkThenRun(settings, fleet, discovery, targets, kind, hooks, inFlight) {
    const checked = new Map();
    /**
     * Opens a target's connection (or takes a check session) and runs `work` with its context;
     * closes it (or gives the session back) whatever happens.
     */
    const withTarget = async (target, work, sessions) => {
        const targetSettings = {
            ...settings,
            target: target.target,
            schema: target.schema ?? settings.schema,
            fleet: undefined,
        };
        const log = (message) => hooks.log(`${target.name}: ${message}`);
        const db = sessions
            ? await sessions.take(target.target, log)
            : await connect(target.target, settings.connectTimeoutSeconds, log);
        const entry = { target, db };
        inFlight.add(entry);
        let clean = false;
        try {
            const tracking = { schema: targetSettings.schema, table: settings.table };
            const history = readHistory(db.client, tracking);
            history.catch(() => undefined);
            const value = await work({
                settings: targetSettings,
                db,
                discovery,
                tracking,
                history,
                log,
                warn: (message) => hooks.warn(`${target.name}: ${message}`),
                signal: hooks.signal,
                cancelRunning: () => void cancelRunning(target.target, db.client),
                checked,
            });
            clean = true;
            return value;
        }
        finally {
            inFlight.delete(entry);
            if (sessions)
                await sessions.release(db, clean);
            else
                await db.client.end().catch(() => undefined);
        }
    };
    const failure = (target, error, pending = []) => ({
        name: target.name,
        result: 'failed',
        applied: [],
        pending,
        error: maskSecrets(messageOf(error), target.secrets),
    });
    // 1. Check: read only. A target is final here unless it has migrations to write.
    const results = new Map();
    const toRun = [];
    const final = (result, report) => {
        results.set(result.name, result);
        hooks.onTarget(result, report);
    };
    // Schema targets share one database: their checks reuse up to `concurrency` sessions.
    const sessions = kind === 'schema' ? new CheckSessions(settings.connectTimeoutSeconds) : undefined;
    const checks = await runWaves(targets, (target) => withTarget(target, async (context) => {
        if (settings.command === 'validate') {
            const report = await validate(context);
            return final(targetResult(target.name, report), report);
        }
        const plan = await planOf(context, (await context.history).rows, { underLock: false });
        for (const [version, check] of plan.checks)
            checked.set(version, check);
        if (plan.stops) {
            const report = stoppedReport(context, plan);
            return final(targetResult(target.name, report), report);
        }
        if (plan.pending.length > 0 && !(settings.dryRun && !settings.rehearse)) {
            // What would be applied, from the plan: without the safety review, whose queries and
            // parsing a run that writes does not use.
            const quiet = {
                ...context.settings,
                dryRun: true,
                rehearse: false,
                safety: 'off',
            };
            const report = await dryRun({ ...context, settings: quiet }, plan);
            const result = targetResult(target.name, report);
            toRun.push({ target, pending: result.pending, version: result.version });
            return;
        }
        // Nothing to write: the single-database answer is the final one (a dry run, up to date).
        const report = await migrate(context);
        return final(targetResult(target.name, report), report);
    }, sessions), {
        concurrency: fleet.concurrency,
        canary: 0,
        onTargetFailure: 'continue',
        signal: hooks.signal,
    }).finally(() => sessions?.close());
    for (const outcome of checks) {
        if (outcome.status === 'failed')
            final(failure(outcome.target, outcome.error));
        else if (outcome.status === 'not started') {
            final({
                name: outcome.target.name,
                result: 'not started',
                applied: [],
                pending: [],
                error: outcome.reason,
            });
        }
    }
    const stoppedBy = targets
        .map((t) => results.get(t.name))
        .filter((r) => r?.result === 'failed' || r?.result === 'drift')
        .map((r) => r?.name);
    const cancelled = hooks.signal.aborted;
    // 2. Write: only when no target stopped the check (a dry run writes nothing, so its rehearsals run).
    if ((stoppedBy.length > 0 || cancelled) && !settings.dryRun) {
        const reason = cancelled
            ? 'the job was cancelled'
            : `nothing was written anywhere because the check stopped on ${(0,model/* plural */.LS)(stoppedBy.length, kind)} (${stoppedBy.slice(0, 5).join(', ')}${stoppedBy.length > 5 ? ', \u2026' : ''})`;
        for (const { target, pending, version } of toRun) {
            final({
                name: target.name,
                result: 'not started',
                applied: [],
                pending,
                version,
                error: reason,
            });
        }
    }
    else {
        // The checks finish in any order; the canaries and waves follow the targets' own order.
        const order = new Map(targets.map((t, i) => [t.name, i]));
        toRun.sort((a, b) => (order.get(a.target.name) ?? 0) - (order.get(b.target.name) ?? 0));
        const byName = new Map(toRun.map((p) => [p.target.name, p]));
        const outcomes = await runWaves(toRun.map((p) => p.target), (target) => withTarget(target, async (context) => {
            const report = await migrate(context);
            const result = targetResult(target.name, report);
            final(result, report);
            return result;
        }), {
            concurrency: fleet.concurrency,
            canary: settings.dryRun ? 0 : fleet.canary,
            onTargetFailure: settings.dryRun ? 'continue' : fleet.onTargetFailure,
            signal: hooks.signal,
            isFailure: (result) => result.result === 'failed' || result.result === 'drift',
        });
        for (const outcome of outcomes) {
            const known = byName.get(outcome.target.name);
            if (outcome.status === 'failed' && outcome.error !== undefined) {
                final(failure(outcome.target, outcome.error, known?.pending));
            }
            else if (outcome.status === 'not started') {
                final({
                    name: outcome.target.name,
                    result: 'not started',
                    applied: [],
                    pending: known?.pending ?? [],
                    version: known?.version,
                    error: outcome.reason,
                });
            }
        }
    }
    return {
        kind,
        stoppedBy,
        results: targets.map((t) => results.get(t.name) ?? {
            name: t.name,
            result: 'not started',
            applied: [],
            pending: [],
            error: 'the run ended before it started',
        }),
    };
}

;// CONCATENATED MODULE: ./lib/history/import/tables.js


/** Each tool's default table name (golang-migrate and dbmate share one). */
const TABLES = {
    'golang-migrate': 'schema_migrations',
    dbmate: 'schema_migrations',
    goose: 'goose_db_version',
    flyway: 'flyway_schema_history',
    prisma: '_prisma_migrations',
    diesel: '__diesel_schema_migrations',
    popx: 'schema_migration',
};
/** The columns of each of `tables` that exists in `schema`. */
async function columnsOf(client, schema, tables) {
    const { rows } = await client.query(`SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE n.nspname = $1 AND c.relname = ANY($2::text[]) AND c.relkind IN ('r', 'p')`, [schema, [...new Set(tables)]]);
    const found = new Map();
    for (const row of rows) {
        const columns = found.get(row.table) ?? new Map();
        columns.set(row.column, row.type);
        found.set(row.table, columns);
    }
    return found;
}
/**
 * Whose table this is, from its name and columns: golang-migrate's `schema_migrations` has
 * `version bigint, dirty boolean`; dbmate's has one text `version`; popx's `schema_migration` a
 * text `version` and, since popx's transactional table, `version_self`. Undefined when none.
 */
function toolOfTable(table, columns) {
    if (table === TABLES.goose && columns.has('version_id') && columns.has('is_applied')) {
        return 'goose';
    }
    if (table === TABLES.prisma && columns.has('migration_name') && columns.has('finished_at')) {
        return 'prisma';
    }
    if (table === TABLES.diesel && columns.has('version') && columns.has('run_on'))
        return 'diesel';
    if (table === TABLES.flyway && columns.has('installed_rank') && columns.has('success')) {
        return 'flyway';
    }
    if (table === TABLES.popx && isText(columns.get('version'))) {
        // pop's legacy table has the one column; popx's own adds version_self.
        if (columns.size === 1 || (columns.size === 2 && columns.has('version_self')))
            return 'popx';
    }
    const version = columns.get('version');
    if (version === undefined)
        return undefined;
    if (columns.has('dirty') && columns.size === 2)
        return 'golang-migrate';
    if (columns.size === 1 && isText(version))
        return 'dbmate';
    return undefined;
}
function isText(type) {
    return type !== undefined && (type.startsWith('character varying') || type === 'text');
}
/** `"schema"."table"` of another tool's table, each name quoted (a schema may hold any character). */
function foreignTable(schema, table) {
    return (0,history_table/* qualifiedName */.O)({ schema, table });
}
/** The `version` column of a table with one row per applied version (dbmate, diesel, popx), as text. */
async function textVersions(client, schema, table) {
    const { rows } = await client.query(`SELECT version::text AS version FROM ${foreignTable(schema, table)}`);
    return rows.map((row) => row.version);
}
/**
 * The history of a tool that writes one row per applied version, the file name's leading digits
 * as text (dbmate, popx): each version as a canonical decimal; anything else it never wrote.
 */
function digitVersions(tool) {
    return async (client, schema, table) => {
        const versions = await textVersions(client, schema, table);
        return {
            tool,
            table: `${schema}.${table}`,
            records: versions.filter((v) => /^\d+$/.test(v)).map((v) => ({ key: canonicalDigits(v) })),
        };
    };
}

;// CONCATENATED MODULE: ./lib/history/import/dbmate.js
// dbmate's history: one row per applied version, the version as text. Reads only.

/** dbmate's `schema_migrations (version varchar(128) primary key)`: one row per version applied. */
const dbmate_readDbmate = digitVersions('dbmate');

;// CONCATENATED MODULE: ./lib/history/import/diesel.js

/**
 * diesel records each applied version as the folder name's version without dashes
 * (`20240212120203`; older diesel kept the dashes, `2024-02-12-120203`). The key is that text
 * without dashes, exactly as the diesel layout keys its folders (files/layouts/diesel.ts): diesel
 * compares versions as text, so `0001` and `1` are two versions to it.
 */
async function diesel_readDiesel(client, schema, table) {
    const versions = await textVersions(client, schema, table);
    return {
        tool: 'diesel',
        table: `${schema}.${table}`,
        records: versions
            .map((v) => v.replaceAll('-', ''))
            .filter((v) => /^\d+$/.test(v))
            .map((v) => ({ key: v })),
    };
}

;// CONCATENATED MODULE: ./lib/history/import/flyway.js



/**
 * What Flyway considers applied, as its MigrationInfoService reads the table: each versioned row
 * that succeeded applies its version (a later row of the same version wins); a `DELETE` row
 * (written by `flyway repair` for a migration whose file is gone) and an `UNDO_*` row (an undo
 * ran) take the version back; a baseline row (`BASELINE`, or a `B` file's `SQL_BASELINE`) makes
 * every version at or below it count as applied; the `SCHEMA` row only says Flyway created the
 * schema. Repeatable migrations (`version` NULL) are not imported: the action does not run them.
 * A row with `success = false` is a migration that failed where it could not be rolled back
 * (Flyway itself stops there until `repair`): refused, naming it.
 */
async function flyway_readFlyway(client, schema, table) {
    const label = `${schema}.${table}`;
    const { rows } = await client.query(`SELECT version::text AS version, description::text AS description, type::text AS type,
            script::text AS script, checksum::integer AS checksum, success
       FROM ${foreignTable(schema, table)} ORDER BY installed_rank`);
    return flywayHistory(label, rows);
}
/** What `rows` (in installed_rank order) say Flyway applied, as readFlyway describes. Pure. */
function flywayHistory(label, rows) {
    const failed = rows.find((row) => !row.success);
    if (failed !== undefined) {
        const what = failed.version === null
            ? `the repeatable migration ${failed.script}`
            : `version ${failed.version} (${failed.script})`;
        throw new ConfigurationError(`Flyway's table ${label} records ${what} as failed (success = false), so the database's state is unknown: fix the database and run flyway repair, then run again.`);
    }
    const applied = new Map();
    const repeatables = new Set();
    let baseline;
    for (const row of rows) {
        if (row.type === 'SCHEMA')
            continue;
        if (row.version === null) {
            if (row.type !== 'DELETE')
                repeatables.add(row.description);
            continue;
        }
        const key = flywayKey(row.version);
        if (key === undefined) {
            throw new ConfigurationError(`Flyway's table ${label} records version ${row.version} (${row.script}), which is not a Flyway version (digits separated by . or _); fix that row before importing Flyway's history.`);
        }
        if (row.type.endsWith('BASELINE')) {
            if (baseline === undefined || compareKeys('flyway', key, baseline) > 0)
                baseline = key;
        }
        else if (row.type === 'DELETE' || row.type.startsWith('UNDO_')) {
            applied.delete(key);
        }
        else {
            applied.set(key, {
                key,
                script: row.script,
                ...(row.checksum === null ? {} : { flywayChecksum: row.checksum }),
            });
        }
    }
    return {
        tool: 'flyway',
        table: label,
        records: [...applied.values()],
        ...(baseline === undefined ? {} : { baseline }),
        ...(repeatables.size === 0
            ? {}
            : {
                remark: `${repeatables.size} repeatable migration${repeatables.size === 1 ? '' : 's'} Flyway ran not imported (the action does not run R__ files)`,
            }),
    };
}

;// CONCATENATED MODULE: ./lib/history/import/golang-migrate.js


/**
 * golang-migrate keeps one row (`version bigint, dirty boolean`): every version up to it was
 * applied. A dirty row means a migration failed part-way and nobody knows what it left: refused.
 */
async function golang_migrate_readGolangMigrate(client, schema, table) {
    const label = `${schema}.${table}`;
    const { rows } = await client.query(`SELECT version::text AS version, dirty FROM ${foreignTable(schema, table)}`);
    if (rows.length > 1) {
        throw new ConfigurationError(`golang-migrate's table ${label} has ${rows.length} rows where golang-migrate keeps one; fix it with golang-migrate's force command before importing its history.`);
    }
    const row = rows[0];
    if (row === undefined)
        return { tool: 'golang-migrate', table: label, records: [], upTo: true };
    if (row.dirty) {
        throw new ConfigurationError(`golang-migrate's table ${label} says version ${row.version} is dirty (it failed part-way), so the database's state is unknown: check the database, then run golang-migrate force with the version it is really at, before importing its history.`);
    }
    return { tool: 'golang-migrate', table: label, records: [{ key: row.version }], upTo: true };
}

;// CONCATENATED MODULE: ./lib/history/import/goose.js

/**
 * goose inserts `(version_id, is_applied = true)` on up; on down goose 3 deletes the row, older
 * goose inserted `is_applied = false`. So a version is applied when its latest row says so.
 * Version 0 is goose's own first row, not a migration.
 */
async function goose_readGoose(client, schema, table) {
    const { rows } = await client.query(`SELECT version_id::text AS version FROM (
       SELECT DISTINCT ON (version_id) version_id, is_applied FROM ${foreignTable(schema, table)}
        ORDER BY version_id, id DESC) latest
      WHERE is_applied AND version_id > 0`);
    return {
        tool: 'goose',
        table: `${schema}.${table}`,
        records: rows.map((r) => ({ key: r.version })),
    };
}

;// CONCATENATED MODULE: ./lib/history/import/popx.js
// Ory popx's history: `schema_migration`, one row per applied version, the version as text.
// Reads only.

/**
 * popx's `schema_migration (version varchar(48), version_self int)` (pop's legacy table has only
 * `version`): a row per version applied, deleted when its down runs. popx keeps no checksum.
 * Ory's versions are 20 digits, beyond bigint, so the key stays the exact decimal. A 14-digit row
 * is a legacy version: popx counts a longer version whose first 14 digits it is as applied
 * (importedRows does too).
 */
const popx_readPopx = digitVersions('popx');

;// CONCATENATED MODULE: ./lib/history/import/prisma.js
// Prisma's history: `_prisma_migrations`, one row per attempt, with Prisma's checksum. Reads only.



const LEADING_DIGITS = /^(\d+)/;
/**
 * A migration is applied when one of its rows is finished and not rolled back. A row neither
 * finished nor rolled back is a migration that failed or is running: Prisma itself refuses to go
 * on (P3009), and so does the import, naming it.
 */
async function prisma_readPrisma(client, schema, table) {
    const label = `${schema}.${table}`;
    const { rows } = await client.query(`SELECT migration_name AS name, checksum,
            CASE WHEN rolled_back_at IS NOT NULL THEN 'rolled back'
                 WHEN finished_at IS NULL THEN 'unfinished' ELSE 'applied' END AS state
       FROM ${foreignTable(schema, table)} ORDER BY started_at, migration_name`);
    const unfinished = rows.find((row) => row.state === 'unfinished');
    if (unfinished !== undefined) {
        throw new ConfigurationError(`Prisma's table ${label} says ${unfinished.name} started but never finished and was not rolled back, so the database's state is unknown: check the database, then run prisma migrate resolve for it, before importing Prisma's history.`);
    }
    const records = new Map();
    for (const row of rows) {
        const key = LEADING_DIGITS.exec(row.name)?.[1];
        if (row.state !== 'applied' || key === undefined)
            continue;
        records.set(row.name, {
            key: key.replace(/^0+(?=\d)/, ''),
            name: row.name,
            prismaChecksum: row.checksum,
        });
    }
    return { tool: 'prisma', table: label, records: [...records.values()] };
}
/**
 * Whether a file's text (BOM dropped, LF line endings) matches Prisma's checksum: as Prisma, with
 * the file's line endings as LF or CRLF, and in Prisma's old format (hex without leading zeros).
 */
function matchesPrismaChecksum(text, stored) {
    for (const variant of [text, text.replaceAll('\n', '\r\n'), `\ufeff${text}`]) {
        const digest = (0,external_node_crypto_.createHash)('sha256').update(variant, 'utf8').digest();
        const formatted = stored.length === 64
            ? digest.toString('hex')
            : [...digest].map((byte) => byte.toString(16)).join('');
        if (formatted === stored)
            return true;
    }
    return false;
}

;// CONCATENATED MODULE: ./lib/history/import/model.js
// What reading another tool's history table gives: the versions it applied, with its checksums
// where it kept them. Types, and the list of tools.

const IMPORT_TOOLS = LAYOUT_IDS.filter((layout) => layout !== 'plain');

// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __nccwpck_require__(8522);
;// CONCATENATED MODULE: ./lib/files/flyway-checksum.js
// Flyway's checksum of a migration file, computed as Flyway computes it, to compare with the one
// it stored in flyway_schema_history. Pure: takes the text, never reads a file.

const flyway_checksum_utf8 = new TextDecoder('utf-8');
/**
 * Flyway's checksum (ChecksumCalculator): the file read line by line with Java's
 * BufferedReader.readLine, whose lines end at `\n`, `\r` or `\r\n` and come without their
 * terminator; a BOM dropped from the first line; each line's UTF-8 bytes fed to one CRC32; the
 * result as Java's signed 32-bit int. Feeding the lines one after another is the same as one CRC32
 * over the text with every `\r` and `\n` removed, so line endings never change it.
 */
function flywayChecksum(content) {
    let text = typeof content === 'string' ? content : flyway_checksum_utf8.decode(content);
    // TextDecoder already drops a BOM; a string given by a caller may still start with one.
    if (text.charCodeAt(0) === 0xfeff)
        text = text.slice(1);
    return (0,external_node_zlib_.crc32)(Buffer.from(text.replace(/[\r\n]/g, ''), 'utf8')) | 0;
}

;// CONCATENATED MODULE: ./lib/history/import/rows.js
// The action's `baseline` rows for what another tool applied: each record matched to its file by
// the version's exact identity, with the tool's checksum kept where the file no longer matches it.
// Pure.





/** popx's legacy versions: 14 digits, which a longer version starting with them counts as. */
const POPX_LEGACY_DIGITS = 14;
/**
 * The `baseline` rows for what the other tool applied, matched to the files by key (`keyOf`: the
 * exact identity, never a bigint conversion; Prisma: by folder name). Each row's version is the
 * file's, and its key when the file has one. Each row's checksum is the file's, unless the tool
 * kept a checksum the file no longer matches: then the row keeps the tool's (`prisma:<hex>`,
 * `flyway:<int>`), so the plan reports the file as *modified*. A version the tool applied without
 * a file becomes a row the plan reports *missing*; its version is a stand-in when its key does not
 * fit bigint. golang-migrate's one version and Flyway's baseline count every file up to them, in
 * the tool's order (`compareKeys`); a popx 14-digit row counts the longer versions it starts.
 */
function importedRows(foreign, migrations, 
/** The file's text as the tool hashed it (Prisma's, Flyway's checksum): not what runs. */
textOf = (migration) => migration.sql) {
    const note = `imported from ${toolName(foreign.tool)} (${foreign.table})` +
        (foreign.remark === undefined ? '' : `; ${foreign.remark}`);
    const rows = [];
    const taken = new Set();
    const take = (migration, checksum) => {
        if (taken.has(migration))
            return;
        taken.add(migration);
        rows.push(rows_rowOf(migration, checksum));
    };
    const upTo = (key) => {
        for (const migration of migrations) {
            if (compareKeys(foreign.tool, keyOf(migration), key) <= 0)
                take(migration, migration.checksum);
        }
    };
    const sorted = () => rows.sort((a, b) => compareKeys(foreign.tool, rowKey(a), rowKey(b)));
    if (foreign.upTo === true) {
        const last = foreign.records[0];
        if (last !== undefined) {
            upTo(last.key);
            if (!migrations.some((m) => fileKey(m) === last.key))
                rows.push(missingRow(foreign, last));
        }
        return { foreign, rows: sorted(), note };
    }
    const byKey = new Map(migrations.map((m) => [fileKey(m), m]));
    const byName = new Map(migrations.map((m) => [m.name, m]));
    const unmatched = [];
    for (const record of foreign.records) {
        const migration = (record.name === undefined ? undefined : byName.get(`${record.name}/migration.sql`)) ??
            byKey.get(record.key);
        if (migration === undefined)
            unmatched.push(record);
        else
            take(migration, rows_checksumOf(migration, record, textOf));
    }
    if (foreign.baseline !== undefined)
        upTo(foreign.baseline);
    const covering = foreign.tool === 'popx' ? popxLegacy(foreign.records, migrations, take) : [];
    for (const record of unmatched) {
        if (!covering.includes(record.key))
            rows.push(missingRow(foreign, record));
    }
    return { foreign, rows: sorted(), note };
}
/**
 * The identity a record names a file by: the file's key, except that a diesel folder's is its own
 * version text without dashes (its label: `0001` stays `0001`), as diesel records it.
 */
function fileKey(migration) {
    if (migration.key === undefined && migration.layout === 'diesel' && migration.label) {
        return migration.label.replaceAll('-', '');
    }
    return keyOf(migration);
}
/** The file's checksum, or the tool's when the tool kept one the file does not match. */
function rows_checksumOf(migration, record, textOf) {
    const prisma = record.prismaChecksum;
    if (prisma !== undefined && !matchesPrismaChecksum(textOf(migration), prisma)) {
        return `prisma:${prisma}`;
    }
    const flyway = record.flywayChecksum;
    if (flyway !== undefined && flywayChecksum(textOf(migration)) !== flyway) {
        return `flyway:${flyway}`;
    }
    return migration.checksum;
}
/**
 * popx's legacy rows: a file whose version is longer than 14 digits counts as applied when its
 * first 14 digits are recorded (popx then records the long version too). Returns the record keys
 * that covered a file this way, which are therefore not *missing*.
 */
function popxLegacy(records, migrations, take) {
    const legacy = new Set(records.map((r) => r.key).filter((key) => key.length === POPX_LEGACY_DIGITS));
    const covering = new Set();
    if (legacy.size === 0)
        return [];
    for (const migration of migrations) {
        const key = keyOf(migration);
        const prefix = key.slice(0, POPX_LEGACY_DIGITS);
        if (key.length > POPX_LEGACY_DIGITS && legacy.has(prefix)) {
            take(migration, migration.checksum);
            covering.add(prefix);
        }
    }
    return [...covering];
}
function rows_rowOf(migration, checksum) {
    return {
        version: migration.version,
        name: migration.name,
        checksum,
        status: 'baseline',
        ...(migration.key === undefined ? {} : { key: migration.key }),
    };
}
function missingRow(foreign, record) {
    const label = record.name ?? record.script ?? `version ${record.key}`;
    return {
        ...versionOfKey(record.key),
        name: `${label} (applied by ${toolName(foreign.tool)}, no file)`,
        checksum: '',
        status: 'baseline',
    };
}
function rowKey(row) {
    return row.key ?? String(row.version);
}

;// CONCATENATED MODULE: ./lib/history/import/index.js












const READERS = {
    'golang-migrate': golang_migrate_readGolangMigrate,
    dbmate: dbmate_readDbmate,
    goose: goose_readGoose,
    flyway: flyway_readFlyway,
    prisma: prisma_readPrisma,
    diesel: diesel_readDiesel,
    popx: popx_readPopx,
};
/**
 * The other tool's history, when its table exists in the tracking table's schema: `tools` are
 * the ones to look for (one, or each for `import-history: auto`). The action's own table is never
 * one of them (its name is `table:`). Two tools' tables found by `auto` are an error naming both.
 */
async function readForeignHistory(client, tracking, tools) {
    const names = tools.map((tool) => TABLES[tool]).filter((name) => name !== tracking.table);
    if (names.length === 0)
        return undefined;
    const found = await columnsOf(client, tracking.schema, names);
    const matches = [];
    for (const [table, columns] of found) {
        const tool = toolOfTable(table, columns);
        if (tool !== undefined && tools.includes(tool))
            matches.push({ tool, table });
    }
    const [first, second] = matches;
    if (second !== undefined && first !== undefined) {
        throw new ConfigurationError(`Both ${toolName(first.tool)}'s table ${tracking.schema}.${first.table} and ${toolName(second.tool)}'s table ${tracking.schema}.${second.table} exist: set import-history to the tool whose history this database follows, or to none.`);
    }
    if (first === undefined)
        return undefined;
    return READERS[first.tool](client, tracking.schema, first.table);
}
/**
 * When the action's own table name holds another tool's table (golang-migrate and dbmate both
 * use `schema_migrations`), the sentence that says whose it is and what to do; else undefined.
 */
async function clashWith(client, tracking) {
    const found = await columnsOf(client, tracking.schema, [tracking.table]);
    const columns = found.get(tracking.table);
    const tool = columns && toolOfTable(tracking.table, columns);
    if (tool === undefined)
        return undefined;
    return `The table ${tracking.schema}.${tracking.table} is ${tool}'s history table, not this action's: set table: to a new name (for example ${tracking.table}_action), and the first run imports ${tool}'s history from ${tracking.schema}.${tracking.table}, which it only reads.`;
}

;// CONCATENATED MODULE: ./lib/commands/import.js
// Wires the import of another tool's history: which tools to look for, the history as the plan
// sees it (the other tool's rows when the tracking table is empty), and writing those rows under
// the lock, in one transaction, before anything is applied.









/** The tools whose tables `import-history` asks to look for, for a folder in `layout`. */
function toolsToImport(setting, layout) {
    if (setting === 'none')
        return [];
    if (setting !== 'auto')
        return [setting];
    // auto: the folder's own tool when it is another tool's layout; every tool for a plain folder.
    return layout === 'plain' ? [...IMPORT_TOOLS] : IMPORT_TOOLS.filter((tool) => tool === layout);
}
/**
 * The tracking table read, with the one sentence that explains a clash: golang-migrate and dbmate
 * keep their history in `schema_migrations` too, which does not fit the action's columns.
 */
async function readHistoryExplained(client, tracking) {
    try {
        return await readHistory(client, tracking);
    }
    catch (error) {
        if (!(error instanceof ConfigurationError))
            throw error;
        const clash = await clashWith(client, tracking).catch(() => undefined);
        throw clash === undefined ? error : new ConfigurationError(clash);
    }
}
/** The file's text as the other tool read it: the whole up file, before any unwrapping. */
function fileText(migration) {
    return normalizeContent((0,external_node_fs_.readFileSync)(migration.path));
}
/**
 * The import of one run. `history` is what the plan reads: the tracking table's rows, or, while
 * it is missing or empty, the rows the other tool's history turns into. Nothing is written until
 * `writeUnderLock`.
 */
class Adoption {
    client;
    tracking;
    tools;
    migrations;
    imported;
    constructor(client, tracking, tools, migrations) {
        this.client = client;
        this.tracking = tracking;
        this.tools = tools;
        this.migrations = migrations;
    }
    /** The history for the plan: the table's own rows, else what the other tool applied. */
    async history(read) {
        this.imported = await this.importFor(read);
        return this.imported === undefined ? read : { exists: read.exists, rows: this.imported.rows };
    }
    async importFor(read) {
        if (read.rows.length > 0 || this.tools.length === 0)
            return undefined;
        const foreign = await readForeignHistory(this.client, this.tracking, this.tools);
        const nothing = foreign === undefined ||
            // Flyway's baseline alone (`flyway baseline` on an existing database) is a history too.
            (foreign.records.length === 0 && foreign.upTo !== true && foreign.baseline === undefined);
        if (nothing) {
            return undefined;
        }
        const imported = importedRows(foreign, this.migrations, fileText);
        return imported.rows.length === 0 ? undefined : imported;
    }
    /**
     * Under the migration lock, with the history re-read: when the table is still empty, the other
     * tool's table is read again and its rows written, with the table when missing, in one
     * transaction; then the history is read once more. Returns the history to plan from.
     */
    async writeUnderLock(locked, appliedBy, log) {
        const imported = await this.importFor(locked);
        this.imported = imported;
        if (imported === undefined)
            return locked;
        const setup = await readyForRowsSql(this.client, this.tracking, locked.exists, imported.rows);
        const by = `${appliedBy}; ${imported.note}`;
        const inserts = imported.rows.map((row) => `${insertRowSql(this.tracking, { ...row, appliedBy: by }, '0')};`);
        await this.client.query(`BEGIN;${setup}${inserts.join('')}COMMIT;`);
        log(`Imported ${(0,model/* plural */.LS)(imported.rows.length, 'migration')} from ${toolName(imported.foreign.tool)}'s ${imported.foreign.table} as baseline.`);
        return readHistory(this.client, this.tracking);
    }
    /** One line per row the import writes (or, in a dry run, would write), for the report. */
    changes(dryRun) {
        const imported = this.imported;
        if (imported === undefined)
            return [];
        const verb = dryRun ? 'would record' : 'recorded';
        return imported.rows.map((row) => `${verb} ${row.name} (version ${row.key ?? row.version}) as baseline, ${imported.note}`);
    }
}

;// CONCATENATED MODULE: ./lib/commands/repair.js
// command: repair: deletes failed rows and re-records modified checksums, under the lock, in one transaction.





// Findings about the files themselves: with them, which file a row belongs to is not certain.
const FILE_PROBLEMS = new Set(['duplicate', 'misnamed', 'unreadable', 'version-too-large']);
/**
 * What repair would change: `failed` rows are deleted (the migration runs again next time), and
 * the checksum and name of *modified* applied migrations are re-recorded to the current files.
 * *missing* rows are never touched: a file that is gone may be a mistake in the checkout.
 */
function changesOf(context, plan) {
    const table = (0,history_table/* qualifiedName */.O)(context.tracking);
    const changes = [];
    for (const entry of plan.entries) {
        if (entry.status === 'failed' && entry.row) {
            changes.push({
                entry,
                sql: `DELETE FROM ${table} WHERE version = ${entry.version} AND status IN ('failed', 'running');`,
                sentence: `deleted the failed row of ${entry.row.name} (version ${(0,model/* versionLabel */.dp)(entry)}); it will run again on the next migrate`,
            });
        }
        else if (entry.status === 'modified' && entry.migration && entry.row) {
            const { checksum, name } = entry.migration;
            changes.push({
                entry,
                sql: `UPDATE ${table} SET checksum = ${literal(checksum)}, name = ${literal(name)} WHERE version = ${entry.version};`,
                sentence: `re-recorded the checksum of ${name} (version ${(0,model/* versionLabel */.dp)(entry)}) from ${entry.row.checksum.slice(0, 12)} to ${checksum.slice(0, 12)}`,
            });
        }
    }
    return changes;
}
function repairedEntries(plan, changes, done) {
    const changed = new Map(changes.map((c) => [c.entry, c]));
    const entries = plan.entries.map((entry) => {
        if (!changed.has(entry))
            return entry;
        if (entry.status === 'failed') {
            return {
                ...entry,
                status: 'pending',
                note: done ? 'failed row deleted' : 'failed row would be deleted',
            };
        }
        return {
            ...entry,
            status: done ? 'already applied' : 'modified',
            note: done ? 'checksum re-recorded' : 'checksum would be re-recorded',
        };
    });
    // Repair answers the findings it handles; the others stay.
    const handled = new Set(changes.map((c) => c.entry.version));
    const findings = plan.findings.filter((f) => !(f.version !== undefined &&
        handled.has(f.version) &&
        (f.kind === 'failed' || f.kind === 'modified')));
    return {
        ...plan,
        entries,
        findings,
        drift: findings.some((f) => f.kind === 'modified' || f.kind === 'missing'),
    };
}
/**
 * `repair`, after a person has looked: deletes `failed` rows and re-records the checksums of
 * modified migrations, under the migration lock, in one transaction, and lists every change.
 */
async function repair(context) {
    const { settings, db, tracking } = context;
    const history = await context.history;
    const plan = await planOf(context, history.rows, { underLock: false });
    const fileProblems = plan.findings.filter((f) => FILE_PROBLEMS.has(f.kind));
    if (fileProblems.length > 0)
        return stoppedReport(context, { ...plan, findings: fileProblems });
    const changes = changesOf(context, plan);
    if (changes.length === 0) {
        return report(context, plan, {
            result: 'up-to-date',
            verdict: 'Nothing to repair: no failed row and no modified migration.',
        });
    }
    if (settings.dryRun) {
        return {
            ...report(context, repairedEntries(plan, changes, false), {
                result: 'pending',
                verdict: `Dry run: repair would make ${(0,model/* plural */.LS)(changes.length, 'change')}; nothing was written.`,
            }),
            changes: changes.map((c) => `would have ${c.sentence}`),
        };
    }
    return underLock(context, async () => {
        const locked = await readHistory(db.client, tracking);
        const current = await planOf(context, locked.rows, { underLock: true, checked: plan.checks });
        const now = changesOf(context, current);
        if (now.length > 0)
            await db.client.query(`BEGIN;${now.map((c) => c.sql).join('')}COMMIT;`);
        return {
            ...report(context, repairedEntries(current, now, true), {
                result: now.length > 0 ? 'applied' : 'up-to-date',
                verdict: now.length > 0
                    ? `Repaired ${(0,model/* plural */.LS)(now.length, 'row')} of the tracking table.`
                    : 'Nothing to repair: no failed row and no modified migration.',
            }),
            changes: now.map((c) => c.sentence),
        };
    });
}

;// CONCATENATED MODULE: ./lib/apply/rollback.js






/** The row's new status, who and when; `executionMs` is an SQL expression. */
function rowUpdateSql(options, version, status, executionMs) {
    return `UPDATE ${(0,history_table/* qualifiedName */.O)(options.tracking)} SET status = ${literal(status)}, applied_at = now(), applied_by = ${literal(options.appliedBy)}, execution_ms = ${executionMs} WHERE version = ${version};`;
}
const rollback_reset = (options) => `SET SESSION AUTHORIZATION DEFAULT;RESET ALL;${options.sessionSql}`;
function timeoutsSql(options, local) {
    const set = local ? 'SET LOCAL' : 'SET';
    return [
        options.lockTimeout ? `${set} lock_timeout = ${literal(options.lockTimeout)};` : '',
        options.statementTimeout
            ? `${set} statement_timeout = ${literal(options.statementTimeout)};`
            : '',
    ].join('');
}
/** The file line of an error raised by `statementText`, which starts at `offset` of `text`. */
function errorLine(error, text, statementText, offset) {
    const position = error.position;
    if (!position)
        return undefined;
    return (0,lines/* lineAt */.mh)(text, offset + (0,lines/* indexOfPosition */.TT)(statementText, Number(position)));
}
/** A transactional down: the down SQL and the row's change in one message, one transaction. */
async function rollBackInTransaction(client, down, options, setup) {
    const { migration } = down;
    // The prefix is one line and the down text has a blank line per file line before it, so an
    // error position maps to the file's own line.
    const prefix = `BEGIN;${options.lockCheckSql}${setup}${timeoutsSql(options, true)}`;
    const elapsed = 'floor(extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000)::integer';
    // The down text's first line goes on the prefix's line: a section's blank line, or a whole down
    // file's own first line (golang-migrate, diesel, popx, Flyway's U file), which has no blank line.
    const text = `${prefix}${down.text}\n;${rollback_reset(options)}${rowUpdateSql(options, migration.version, 'rolled back', elapsed)}COMMIT;`;
    try {
        await client.query(text);
    }
    catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        const line = errorLine(error, text, text, 0);
        throw describeError(error, line !== undefined && line > 1 ? line : undefined);
    }
}
/**
 * A no-transaction down (`DROP INDEX CONCURRENTLY`): its row is committed as `running` first, the
 * statements run one by one, and the row becomes `rolled back`, or `failed` when one fails (the
 * database may then be half rolled back: a person must look, as after a failed no-transaction up).
 */
async function rollBackWithoutTransaction(client, down, options, setup, outcome) {
    const { migration } = down;
    await client.query(options.lockCheckSql).catch((error) => {
        throw error.message === LOCK_LOST ? new ConfigurationError(POOLER_MESSAGE) : error;
    });
    await client.query(`BEGIN;${setup}${rowUpdateSql(options, migration.version, 'running', '0')}COMMIT;`);
    const timeouts = timeoutsSql(options, false);
    if (timeouts)
        await client.query(timeouts);
    const started = performance.now();
    let failure;
    for (const statement of down.statements) {
        if (options.signal?.aborted) {
            failure = { message: 'the job was cancelled before this statement', line: statement.line };
            break;
        }
        try {
            await client.query(statement.text);
        }
        catch (error) {
            failure = describeError(error, errorLine(error, down.text, statement.text, statement.offset) ?? statement.line);
            break;
        }
    }
    outcome.durationMs = Math.round(performance.now() - started);
    await client.query(`${rollback_reset(options)}${rowUpdateSql(options, migration.version, failure ? 'failed' : 'rolled back', String(outcome.durationMs))}`);
    if (failure)
        throw failure;
}
/**
 * Rolls back `downs` in the order given (newest first) and stops at the first failure: a failed
 * transactional down leaves no trace and its row stays as it was; those after it are not
 * attempted. When `signal` aborts, no further down starts.
 */
async function rollBack(client, downs, options) {
    const outcomes = downs.map((d) => ({
        migration: d.migration,
        status: 'not attempted',
    }));
    for (const [index, down] of downs.entries()) {
        if (options.signal?.aborted)
            break;
        const outcome = outcomes[index];
        const setup = index === 0 ? options.setupSql : '';
        const started = performance.now();
        try {
            if (down.migration.down.noTransaction) {
                await rollBackWithoutTransaction(client, down, options, setup, outcome);
            }
            else {
                await rollBackInTransaction(client, down, options, setup);
                outcome.durationMs = Math.round(performance.now() - started);
            }
            outcome.status = 'rolled back';
            options.log(`Rolled back ${down.migration.name} in ${outcome.durationMs} ms.`);
        }
        catch (error) {
            if (error instanceof ConfigurationError)
                throw error;
            outcome.durationMs ??= Math.round(performance.now() - started);
            outcome.status = 'failed';
            outcome.error = error instanceof Error ? describeError(error) : error;
            break;
        }
    }
    return outcomes;
}

;// CONCATENATED MODULE: ./lib/history/status-check.js


/**
 * A table created by an earlier build has `CHECK (status IN ('applied', 'baseline', 'running',
 * 'failed'))`, which refuses `rolled back`. The CHECK is replaced, under the migration lock and
 * inside the first rollback's transaction, only when a rollback is about to write that status:
 * a table that never sees a rollback stays exactly as it was. Only a CHECK that lists the
 * action's own four statuses is replaced; any other constraint is the owner's and stays.
 */
async function statusCheckOf(client, tracking) {
    const table = (0,history_table/* qualifiedName */.O)(tracking);
    const { rows } = await client.query(`SELECT c.conname AS name, pg_get_constraintdef(c.oid) AS definition,
            pg_has_role(t.relowner, 'USAGE') AS owned
       FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
      WHERE c.conrelid = $1::regclass AND c.contype = 'c'`, [table]);
    const old = rows.filter((r) => ["'applied'", "'baseline'", "'running'", "'failed'"].every((s) => r.definition.includes(s)) &&
        !r.definition.includes("'rolled back'"));
    const [first] = old;
    if (!first)
        return { sql: '', allowed: true };
    const quote = (name) => `"${name.replaceAll('"', '""')}"`;
    const drops = old.map((r) => `DROP CONSTRAINT ${quote(r.name)}`).join(', ');
    return {
        sql: `ALTER TABLE ${table} ${drops}, ADD CONSTRAINT ${quote(first.name)} CHECK (status IN (${STATUS_LIST}));`,
        allowed: first.owned,
    };
}

;// CONCATENATED MODULE: ./lib/plan/rollback.js

// Findings about the files or rows that make any rollback unsafe, wherever they are.
const ALWAYS_STOP = new Set([
    'duplicate',
    'misnamed',
    'unreadable',
    'version-too-large',
    'directive',
    'failed',
]);
/**
 * The rows above `to` in the layout's `order` that record the migration as done: those a rollback
 * undoes, newest first (the plan's entries are in that order).
 */
function rowsToRollBack(plan, to, order = byVersion) {
    return plan.entries
        .filter((e) => order(e, to) > 0 && e.row && e.row.status !== 'rolled back')
        .reverse();
}
/**
 * Decides what `rollback` to `toVersion` runs, and refuses before anything runs: every migration
 * above it must have its file unchanged (the down SQL is the file's, so a changed file may undo
 * something else) and down SQL that parses, has no transaction control, and loses no data unless
 * `allowDataLoss`. A failed row anywhere stops it: the database may be half-changed.
 */
function planRollback(plan, to, downs, allowDataLoss, order = byVersion) {
    const findings = plan.findings
        .filter((f) => ALWAYS_STOP.has(f.kind))
        .map((f) => ({ ...f, stops: true }));
    const steps = [];
    const refuse = (entry, message, line) => findings.push({
        kind: 'rollback',
        version: entry.version,
        file: entry.migration?.name ?? entry.name,
        line,
        message,
        stops: true,
    });
    for (const entry of rowsToRollBack(plan, to, order)) {
        const { migration, row } = entry;
        if (!row || entry.status === 'failed')
            continue; // a finding of its own already
        if (!migration) {
            refuse(entry, `${entry.name} cannot be rolled back: its file is missing, so its down SQL is unknown; restore the file.`);
            continue;
        }
        if (migration.checksum !== row.checksum) {
            refuse(entry, `${migration.name} cannot be rolled back: it was changed after it was applied (recorded checksum ${row.checksum.slice(0, 12)}, now ${migration.checksum.slice(0, 12)}), so its down SQL may not undo what ran; restore the applied content.`);
            continue;
        }
        const down = migration.down;
        if (!down) {
            refuse(entry, `${migration.name} has no down SQL: add a -- migrate:down section that undoes it, or roll back to version ${migration.label ?? migration.key ?? migration.version} or above.`);
            continue;
        }
        const facts = downs.get(migration.version);
        for (const control of facts?.transactionControl ?? []) {
            refuse(entry, `${down.file} line ${control.line}: ${control.keyword} is not allowed in down SQL, because the action owns the transaction; remove it.`, control.line);
        }
        if (facts?.parseError) {
            const { line, message } = facts.parseError;
            refuse(entry, `${down.file} line ${line}: the down SQL does not parse (${message}); fix it before rolling back.`, line);
        }
        if (!allowDataLoss) {
            for (const loss of facts?.losses ?? []) {
                refuse(entry, `${down.file} line ${loss.line}: the down SQL of ${migration.name} loses data (${loss.what}): set allow-data-loss: true if that is intended.`, loss.line);
            }
        }
        steps.push({ entry, row, migration: migration });
    }
    return { steps, findings };
}

;// CONCATENATED MODULE: ./lib/commands/rollback.js
// command: rollback: checks every migration above to-version, then runs their down SQL newest first under the lock, and says what happened.










/** `to-version` of a rollback, in the folder's layout: 0 rolls back every migration. */
function targetOf(context) {
    return toVersionOf(context, '0');
}
/** The plan of a rollback for `rows`, with each down SQL checked once per run. */
async function rollbackOf(context, rows, checked) {
    const { settings } = context;
    // Drift and order are judged per migration to roll back (planRollback), not by on-drift.
    const plan = makePlan(context.discovery, rows, {
        onDrift: 'warn',
        allowOutOfOrder: true,
        transaction: 'per-migration',
    });
    const to = targetOf(context);
    const order = orderOf(context.discovery);
    // The parse-tree reading is in the review's lazy chunk: a deploy run never loads it.
    const { checkDownSql } = await __nccwpck_require__.e(/* import() */ 458).then(__nccwpck_require__.bind(__nccwpck_require__, 6458));
    // Keyed by version: a stand-in version is derived from its key alone, so it is as exact.
    for (const entry of plan.entries) {
        const down = entry.migration?.down;
        if (!down || order(entry, to) <= 0 || !entry.row || checked.has(entry.version))
            continue;
        checked.set(entry.version, await checkDownSql(down));
    }
    const facts = new Map(checked);
    return { plan, rollback: planRollback(plan, to, facts, settings.allowDataLoss, order) };
}
/** The plan's entries with each step's status (and duration, note) after the rollback. */
function withSteps(plan, statuses) {
    return {
        ...plan,
        entries: plan.entries.map((e) => {
            const change = statuses.get(e.version);
            return change ? { ...e, ...change } : e;
        }),
    };
}
function stopped(context, plan, findings) {
    return stoppedReport(context, { ...plan, findings, stops: true });
}
/**
 * `rollback` to `to-version`: every applied migration above it, newest first, runs its down SQL
 * and its row becomes `rolled back` in the same transaction. Every check happens before anything
 * runs, and again under the lock on the history re-read there; a dry run only reports the plan.
 */
async function rollback(context) {
    const { settings, db, tracking } = context;
    const toVersion = targetOf(context).label;
    const checked = new Map();
    const first = await context.history;
    const { plan, rollback: planned } = await rollbackOf(context, first.rows, checked);
    if (planned.findings.length > 0)
        return stopped(context, plan, planned.findings);
    if (planned.steps.length === 0) {
        return report(context, plan, {
            result: 'up-to-date',
            verdict: `Nothing to roll back: no applied migration above version ${toVersion}.`,
        });
    }
    const fit = await statusCheckOf(db.client, tracking);
    if (!fit.allowed) {
        return stopped(context, plan, [
            {
                kind: 'rollback',
                message: `The tracking table ${tracking.schema}.${tracking.table} was created before the status rolled back existed, and this role does not own it: as its owner, run ${fit.sql}`,
                stops: true,
            },
        ]);
    }
    const names = planned.steps.map((s) => s.migration.name).join(', ');
    if (settings.dryRun) {
        const would = new Map(planned.steps.map((s) => [s.entry.version, { status: 'would roll back' }]));
        return report(context, withSteps(plan, would), {
            result: 'pending',
            verdict: `Dry run: ${(0,model/* plural */.LS)(planned.steps.length, 'migration')} would be rolled back to version ${toVersion}, newest first (${names}); nothing was written.`,
        });
    }
    return underLock(context, async (key) => {
        const sessionSql = (0,session/* sessionSettingsSql */.Cb)(db.serverMajor);
        if (sessionSql)
            await db.client.query(sessionSql);
        const locked = await readHistory(db.client, tracking);
        const now = await rollbackOf(context, locked.rows, checked);
        if (now.rollback.findings.length > 0)
            return stopped(context, now.plan, now.rollback.findings);
        if (now.rollback.steps.length === 0) {
            return report(context, now.plan, {
                result: 'up-to-date',
                verdict: `Nothing to roll back: no applied migration above version ${toVersion}.`,
            });
        }
        const downs = now.rollback.steps.map((s) => {
            const check = checked.get(s.migration.version);
            return {
                migration: s.migration,
                statements: check?.statements ?? [],
                text: check?.text ?? '',
            };
        });
        const outcomes = await rollBack(db.client, downs, {
            tracking,
            appliedBy: appliedBy(),
            sessionSql,
            setupSql: (await statusCheckOf(db.client, tracking)).sql,
            lockCheckSql: lockHeldCheckSql(key),
            lockTimeout: settings.lockTimeout,
            statementTimeout: settings.statementTimeout,
            signal: context.signal,
            log: context.log,
        });
        return rolledBackReport(context, now.plan, outcomes);
    });
}
function rolledBackReport(context, plan, outcomes) {
    const toVersion = targetOf(context).label;
    const statuses = new Map();
    for (const o of outcomes) {
        const note = o.error
            ? `down SQL ${o.error.line ? `line ${o.error.line}: ` : ''}${o.error.message}`
            : undefined;
        statuses.set(o.migration.version, { status: o.status, durationMs: o.durationMs, note });
    }
    const done = outcomes.filter((o) => o.status === 'rolled back');
    const changes = done.map((o) => `rolled back ${o.migration.name} (version ${shownVersion(o.migration)}) in ${(0,model/* formatDuration */.a3)(o.durationMs)}`);
    const total = done.reduce((sum, o) => sum + (o.durationMs ?? 0), 0);
    const base = {
        ...report(context, withSteps(plan, statuses), { result: 'applied', verdict: '' }),
        changes,
    };
    const failed = outcomes.find((o) => o.status === 'failed');
    const notAttempted = outcomes.filter((o) => o.status === 'not attempted').length;
    if (!failed) {
        if (notAttempted > 0) {
            return {
                ...base,
                result: 'failed',
                verdict: `The job was cancelled: ${(0,model/* plural */.LS)(done.length, 'migration')} rolled back, ${notAttempted} not attempted.`,
            };
        }
        return {
            ...base,
            verdict: `Rolled back ${(0,model/* plural */.LS)(done.length, 'migration')} to version ${toVersion} in ${(0,model/* formatDuration */.a3)(total)}.`,
        };
    }
    const down = failed.migration.down;
    const file = down?.file ?? failed.migration.name;
    const findings = [...base.findings];
    const half = failed.migration.down?.noTransaction === true;
    if (half) {
        findings.push({
            kind: 'failed',
            version: failed.migration.version,
            file,
            line: failed.error?.line,
            message: `The down SQL of ${failed.migration.name} ran without a transaction and failed part-way, so the database may be half rolled back: its row is recorded as failed; check the database, then run command: repair.`,
            stops: true,
        });
    }
    const still = half ? 'its row is recorded as failed' : 'it is still applied';
    return {
        ...base,
        findings,
        result: 'failed',
        failure: failed.error && { file, ...failed.error },
        verdict: `The down SQL of ${failed.migration.name} failed${failed.error?.line ? ` at line ${failed.error.line}` : ''}: ${failed.error?.message ?? 'unknown error'}. ${(0,model/* plural */.LS)(done.length, 'migration')} rolled back before it, ${notAttempted} not attempted; ${still}.`,
    };
}

// EXTERNAL MODULE: ./lib/report/html.js
var html = __nccwpck_require__(7325);
;// CONCATENATED MODULE: ./lib/fleet/report.js
// What a fleet run says as a whole: the per-target result type, the outputs and the verdict (pure: no database, no @actions).
/** The order of the fleet result: the first of these that any target has wins. */
const PRECEDENCE = ['failed', 'drift', 'applied', 'pending', 'up-to-date'];
/**
 * A `not started` target counts as `pending` when it still has migrations to apply, else as
 * `up-to-date`: its state is what the check before any write found.
 */
function effectiveResult(target) {
    if (target.result !== 'not started')
        return target.result;
    return target.pending.length > 0 ? 'pending' : 'up-to-date';
}
/** `failed` if any target failed, else `drift`, else `applied`, else `pending`, else `up-to-date`. */
function fleetResult(targets) {
    const seen = new Set(targets.map(effectiveResult));
    return PRECEDENCE.find((result) => seen.has(result)) ?? 'up-to-date';
}
/**
 * Compares version labels as versions: runs of digits as numbers (of any length), the rest as
 * text, part by part, so `9` < `10`, `1.7` < `1.27` and `20240101` < `20240102`. Labels equal as
 * numbers but written differently (`01`, `1`) are ordered by their text, so the order is total.
 */
function compareVersions(a, b) {
    const left = a.match(/\d+|\D+/g) ?? [];
    const right = b.match(/\d+|\D+/g) ?? [];
    for (let i = 0; i < Math.min(left.length, right.length); i++) {
        const x = left[i];
        const y = right[i];
        if (x === y)
            continue;
        const numeric = /^\d/.test(x) && /^\d/.test(y);
        if (numeric) {
            const difference = BigInt(x) - BigInt(y);
            if (difference !== 0n)
                return difference < 0n ? -1 : 1;
        }
        else
            return x < y ? -1 : 1;
    }
    if (left.length !== right.length)
        return left.length - right.length;
    return a < b ? -1 : a > b ? 1 : 0;
}
function union(lists) {
    const all = new Set();
    for (const list of lists)
        for (const version of list)
            all.add(version);
    return [...all].sort(compareVersions);
}
/** The step's outputs for a fleet. */
function fleetOutputs(targets) {
    let appliedCount = 0;
    let pendingCount = 0;
    for (const target of targets) {
        appliedCount += target.applied.length;
        pendingCount += target.pending.length;
    }
    // fromEntries defines each name as an own property: a target named __proto__ stays a key.
    const perTarget = Object.fromEntries(targets.map((t) => [
        t.name,
        { result: t.result, applied: t.applied, pending: t.pending, error: t.error ?? null },
    ]));
    return {
        result: fleetResult(targets),
        appliedCount,
        pendingCount,
        applied: union(targets.map((t) => t.applied)),
        pending: union(targets.map((t) => t.pending)),
        targets: JSON.stringify(perTarget),
    };
}
function plural(count, one, many = `${one}s`) {
    return `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
}
/**
 * One line for the fleet, such as `120 databases: 117 up to date, 2 applied 3 migrations,
 * 1 failed`. Parts with no target are left out.
 */
function fleetVerdict(targets, kind) {
    const count = (status) => targets.filter((t) => t.result === status);
    const sum = (list, key) => list.reduce((total, t) => total + t[key].length, 0);
    const applied = count('applied');
    const pending = count('pending');
    const parts = [
        [count('up-to-date').length, 'up to date'],
        [applied.length, `applied ${plural(sum(applied, 'applied'), 'migration')}`],
        [pending.length, `with ${plural(sum(pending, 'pending'), 'pending migration')}`],
        [count('drift').length, 'with drift'],
        [count('failed').length, 'failed'],
        [count('not started').length, 'not started'],
    ];
    const said = parts
        .filter(([n]) => n > 0)
        .map(([n, words]) => `${n.toLocaleString('en-US')} ${words}`);
    const fleet = plural(targets.length, kind);
    return said.length > 0 ? `${fleet}: ${said.join(', ')}` : `${fleet}: nothing to migrate`;
}

;// CONCATENATED MODULE: ./lib/fleet/render.js
// The fleet's job summary (HTML within a byte budget) and its log table (pure: strings in, strings out).


/** GitHub refuses a step summary over 1 MiB; the rest is the margin for everything else. */
const FLEET_SUMMARY_BUDGET = 900 * 1024;
/** Names listed in a row of targets with the same outcome; the rest are counted. */
const NAMES_SHOWN = 5;
/** Names listed in a row of failed or drifted targets, which the reader has to act on. */
const PROBLEM_NAMES_SHOWN = 20;
/** Versions listed before a list is shortened to its first, last and count. */
const VERSIONS_SHOWN = 5;
/** Characters of one error and its detail in the summary: one long message cannot eat the budget. */
const DETAIL_CHARS = 1500;
const ICONS = {
    failed: '\u274c',
    drift: '\u26a0\ufe0f',
    'not started': '\u23ed\ufe0f',
    pending: '\u23f3',
    applied: '\u2705',
    'up-to-date': '\u2714\ufe0f',
};
/** Rows in this order: what needs a reader's action first. */
const ORDER = [
    'failed',
    'drift',
    'not started',
    'pending',
    'applied',
    'up-to-date',
];
const PROBLEMS = new Set(['failed', 'drift']);
/** `41, 42, 43`, or `41 to 52 (12)` for a long list. */
function versionList(versions) {
    if (versions.length <= VERSIONS_SHOWN)
        return versions.join(', ');
    return `${versions[0]} to ${versions.at(-1)} (${versions.length})`;
}
function at(target) {
    return target.version === undefined ? 'no migration applied' : `version ${target.version}`;
}
/** What happened to a target, in words, without its name: targets with the same words share a row. */
function outcome(target) {
    const applied = `applied ${versionList(target.applied)}`;
    const pending = `${plural(target.pending.length, 'pending migration')}: ${versionList(target.pending)}`;
    switch (target.result) {
        case 'up-to-date':
            return `up to date at ${at(target)}`;
        case 'applied':
            return `${applied}; now at ${at(target)}`;
        case 'pending':
            return `${pending}; at ${at(target)}`;
        case 'not started':
            return `not started: ${target.error ?? 'no reason given'}${target.pending.length > 0 ? `; ${pending}` : ''}`;
        default: {
            const before = target.applied.length > 0 ? `${applied} first; ` : '';
            return `${target.result}: ${target.error ?? 'no message'} (${before}at ${at(target)})`;
        }
    }
}
/**
 * Targets with the same outcome, in the order of ORDER and then of first appearance. The key is
 * built from the full version lists, not the shortened words, so only equal outcomes merge.
 */
function groupTargets(targets) {
    const groups = new Map();
    for (const target of targets) {
        const detail = target.detail ?? [];
        const key = JSON.stringify([
            target.result,
            target.version,
            target.applied,
            target.pending,
            target.error,
            detail,
        ]);
        const group = groups.get(key);
        if (group)
            group.names.push(target.name);
        else {
            groups.set(key, {
                status: target.result,
                words: outcome(target),
                detail,
                names: [target.name],
            });
        }
    }
    const all = [...groups.values()];
    return ORDER.flatMap((status) => all.filter((g) => g.status === status));
}
function cut(text, chars) {
    return text.length > chars ? `${text.slice(0, chars)}\u2026` : text;
}
function row(group) {
    const shown = PROBLEMS.has(group.status) ? PROBLEM_NAMES_SHOWN : NAMES_SHOWN;
    const names = group.names
        .slice(0, shown)
        .map((name) => `<code>${(0,html/* escapeHtml */.Z)(name)}</code>`)
        .join(', ');
    const more = group.names.length > shown
        ? ` and ${(group.names.length - shown).toLocaleString('en-US')} more`
        : '';
    const text = cut([group.words, ...group.detail].join('\n'), DETAIL_CHARS);
    const cells = [
        `${ICONS[group.status]} ${(0,html/* escapeHtml */.Z)(group.status)}`,
        group.names.length.toLocaleString('en-US'),
        `${names}${more}`,
        text.split('\n').map(html/* escapeHtml */.Z).join('<br>'),
    ];
    return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>\n`;
}
/** The first rows that fit in `budget` bytes, and their size. */
function rowsThatFit(rows, budget) {
    const shown = [];
    let size = 0;
    for (const r of rows) {
        const bytes = Buffer.byteLength(r);
        if (size + bytes > budget)
            break;
        shown.push(r);
        size += bytes;
    }
    return { shown, size };
}
/**
 * The job summary for a fleet: the verdict, then one table: failed and drifted targets first with
 * their detail, then targets with the same outcome collapsed into one row. Every inserted value is
 * escaped, and the whole stays within the budget: the collapsed rows get up to a third of it (they
 * are few unless every target differs), the problems the rest; what does not fit is counted.
 * Measured on Node 24 for 10,000 targets that all failed differently: outputs, summary and log
 * together in about 0.25 s, the summary 900 KiB, about 5 MB of heap held; parsing the 10,000
 * targets, the waves and all of this run with V8's old space capped at 40 MB.
 */
function renderFleetSummary(targets, { kind, dryRun = false, budget = FLEET_SUMMARY_BUDGET }) {
    const title = `${plural(targets.length, kind)}${dryRun ? ' (dry run)' : ''}`;
    const head = `<h3>PostgreSQL migrations: ${(0,html/* escapeHtml */.Z)(title)}</h3>\n<p><strong>${(0,html/* escapeHtml */.Z)(fleetVerdict(targets, kind))}</strong></p>\n`;
    if (targets.length === 0)
        return head;
    const tableHead = '<table>\n<tr><th>Result</th><th>Targets</th><th>Names</th><th>Outcome</th></tr>\n';
    const tableTail = '</table>\n';
    const margin = 300; // the "did not fit" line
    const available = budget - Buffer.byteLength(head) - Buffer.byteLength(tableHead) - tableTail.length - margin;
    const groups = groupTargets(targets);
    const problems = groups.filter((g) => PROBLEMS.has(g.status));
    const others = groups.filter((g) => !PROBLEMS.has(g.status));
    // Rows are made only while they can still fit: 10,000 distinct failures build about budget's worth.
    const rowsWithin = (list, space) => {
        const rows = [];
        let size = 0;
        for (const group of list) {
            const r = row(group);
            size += Buffer.byteLength(r);
            rows.push(r);
            if (size > space)
                break;
        }
        return rows;
    };
    const otherRows = rowsWithin(others, Math.floor(available / 3));
    const reserve = otherRows.reduce((sum, r) => sum + Buffer.byteLength(r), 0);
    const problemBudget = available - Math.min(reserve, Math.floor(available / 3));
    const shownProblems = rowsThatFit(rowsWithin(problems, problemBudget), problemBudget);
    const shownOthers = rowsThatFit(rowsWithin(others, available - shownProblems.size), available - shownProblems.size);
    const rowsLeft = groups.length - shownProblems.shown.length - shownOthers.shown.length;
    const hidden = [
        ...problems.slice(shownProblems.shown.length),
        ...others.slice(shownOthers.shown.length),
    ].reduce((sum, g) => sum + g.names.length, 0);
    const more = rowsLeft > 0
        ? `<p>${plural(rowsLeft, 'more row')} (${plural(hidden, kind)}) did not fit in the summary: the log of this step lists every target.</p>\n`
        : '';
    return `${head}${tableHead}${shownProblems.shown.join('')}${shownOthers.shown.join('')}${tableTail}${more}`;
}
const HEADINGS = ['TARGET', 'RESULT', 'VERSION', 'APPLIED', 'PENDING', 'NOTE'];
/**
 * The fleet for the log: the verdict, then every target on a line of its own in the targets'
 * order, columns padded to line up, each problem's detail indented below it.
 */
function renderFleetLog(targets, kind) {
    const rows = targets.map((t) => [
        t.name,
        t.result,
        t.version ?? '',
        versionList(t.applied),
        versionList(t.pending),
        t.error ?? '',
    ]);
    // A loop, not Math.max(...rows): spreading 100,000 arguments can overflow the stack.
    const widths = HEADINGS.map((h) => h.length);
    for (const r of rows) {
        for (const [i, cell] of r.entries())
            widths[i] = Math.max(widths[i] ?? 0, cell.length);
    }
    const line = (cells) => cells
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd();
    const lines = [fleetVerdict(targets, kind), line(HEADINGS)];
    for (const [index, target] of targets.entries()) {
        lines.push(line(rows[index] ?? []));
        for (const detail of target.detail ?? [])
            lines.push(`    ${detail}`);
    }
    return lines.join('\n');
}

// EXTERNAL MODULE: ./lib/report/review.js
var report_review = __nccwpck_require__(7140);
;// CONCATENATED MODULE: ./lib/report/summary.js



/** GitHub refuses a step summary over 1 MiB; the rest is the margin for everything else. */
const SUMMARY_BUDGET = 900 * 1024;
/** Applied rows kept before the long run of older ones is collapsed into a count. */
const RECENT_APPLIED = 10;
const summary_PROBLEMS = new Set(['failed', 'modified', 'missing', 'out of order']);
const WAITING = new Set([
    'would apply',
    'pending',
    'not attempted',
    'rehearsed',
    'not rehearsed',
    'rolled back',
    'would roll back',
]);
const DONE = new Set(['applied', 'already applied', 'baseline']);
const summary_ICONS = {
    applied: '\u2705',
    'already applied': '\u2714\ufe0f',
    baseline: '\ud83d\udccc',
    'would apply': '\ud83d\udcdd',
    rehearsed: '\ud83e\uddea',
    'not rehearsed': '\u23ed\ufe0f',
    pending: '\u23f3',
    modified: '\u274c',
    missing: '\u274c',
    'out of order': '\u274c',
    failed: '\u274c',
    'not attempted': '\u23ed\ufe0f',
    'rolled back': '\u21a9\ufe0f',
    'would roll back': '\ud83d\udcdd',
};
function summary_row(entry) {
    const cells = [
        (0,html/* escapeHtml */.Z)((0,model/* versionLabel */.dp)(entry)),
        `<code>${(0,html/* escapeHtml */.Z)(entry.name)}</code>`,
        `${summary_ICONS[entry.status] ?? ''} ${(0,html/* escapeHtml */.Z)(entry.status)}`,
        `<code>${(0,html/* escapeHtml */.Z)(entry.checksum.slice(0, 12))}</code>`,
        (0,html/* escapeHtml */.Z)((0,model/* formatDuration */.a3)(entry.durationMs)),
        (0,html/* escapeHtml */.Z)(entry.note ?? ''),
    ];
    return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>\n`;
}
/**
 * Chooses the rows that fit: problem rows first, then those still to do, then the most recent
 * applied; the long run of older applied rows becomes one counted row.
 */
function chooseRows(entries, budget) {
    const done = entries.filter((e) => DONE.has(e.status) && e.status !== 'applied');
    const collapsed = new Set(done.slice(0, Math.max(0, done.length - RECENT_APPLIED)));
    const priority = [
        ...entries.filter((e) => summary_PROBLEMS.has(e.status)),
        ...entries.filter((e) => WAITING.has(e.status) || e.status === 'applied'),
        ...done.filter((e) => !collapsed.has(e)).reverse(),
    ];
    const chosen = new Set();
    let used = 0;
    for (const entry of priority) {
        const size = Buffer.byteLength(summary_row(entry));
        if (used + size > budget)
            break;
        chosen.add(entry);
        used += size;
    }
    const rows = [];
    if (collapsed.size > 0) {
        rows.push(`<tr><td colspan="6">\u2026 ${(0,model/* plural */.LS)(collapsed.size, 'older applied migration')} not listed (see the log)</td></tr>\n`);
    }
    for (const entry of entries)
        if (chosen.has(entry))
            rows.push(summary_row(entry));
    const left = entries.length - chosen.size - collapsed.size;
    return { rows, left };
}
/** Items of a list, as many as fit in `budget` bytes, then a line counting the rest. */
function fitList(items, budget, rest) {
    const shown = [];
    let used = 0;
    for (const item of items) {
        const size = Buffer.byteLength(item) + 1;
        if (used + size > budget)
            break;
        shown.push(item);
        used += size;
    }
    if (shown.length < items.length)
        shown.push(`<li>${rest(items.length - shown.length)}</li>`);
    return shown;
}
function findingsSection(report, budget) {
    if (report.findings.length === 0)
        return '';
    const items = report.findings.map((f) => {
        const checksums = f.recordedChecksum || f.currentChecksum
            ? `<br>recorded <code>${(0,html/* escapeHtml */.Z)(f.recordedChecksum ?? '\u2014')}</code><br>current&nbsp;&nbsp;<code>${(0,html/* escapeHtml */.Z)(f.currentChecksum ?? '\u2014')}</code>`
            : '';
        const level = f.stops ? '\u274c' : '\u26a0\ufe0f';
        return `<li>${level} ${(0,html/* escapeHtml */.Z)(f.message)}${checksums}</li>`;
    });
    const shown = fitList(items, budget, (n) => `${(0,model/* plural */.LS)(n, 'more finding')} in the log`);
    return `<h4>Findings</h4>\n<ul>\n${shown.join('\n')}\n</ul>\n`;
}
function changesSection(report, budget) {
    if (report.changes.length === 0)
        return '';
    const items = report.changes.map((c) => `<li>${(0,html/* escapeHtml */.Z)(c)}</li>`);
    const shown = fitList(items, budget, (n) => `${(0,model/* plural */.LS)(n, 'more change')} in the log`);
    return `<h4>Changes to the tracking table</h4>\n<ul>\n${shown.join('\n')}\n</ul>\n`;
}
/** Most of one file's SQL shown in the summary, so a reviewer can read a pending migration. */
const SQL_PREVIEW = 8 * 1024;
const WILL_RUN = new Set(['would apply', 'rehearsed', 'not rehearsed', 'pending', 'failed']);
/** The SQL of the migrations that would run, each in a collapsed block, cut at a readable size. */
function sqlSection(report, budget) {
    const blocks = [];
    let used = 0;
    for (const entry of report.entries) {
        if (!entry.migration || entry.row || !WILL_RUN.has(entry.status))
            continue;
        // Only the head of the file is read: a 50 MB data migration is never loaded for a preview.
        const { migration } = entry;
        const head = migration.preview?.(SQL_PREVIEW + 1) ?? migration.sql.slice(0, SQL_PREVIEW + 1);
        const cut = head.length > SQL_PREVIEW;
        const text = cut ? `${head.slice(0, SQL_PREVIEW)}\n\u2026` : head;
        const total = migration.size ?? Buffer.byteLength(migration.sql);
        const note = cut
            ? ` (first ${SQL_PREVIEW / 1024} K characters of ${Math.ceil(total / 1024)} KiB)`
            : '';
        const block = `<details><summary>SQL of ${(0,html/* escapeHtml */.Z)(entry.name)}${note}</summary>\n<pre>${(0,html/* escapeHtml */.Z)(text)}</pre>\n</details>\n`;
        const size = Buffer.byteLength(block);
        if (used + size > budget)
            break;
        blocks.push(block);
        used += size;
    }
    return blocks.join('');
}
/**
 * The job summary: heading, verdict, status table, findings, changes and the SQL that would run.
 * Every inserted value is escaped, and the whole stays within `budget` bytes: findings take at
 * most a third, the table what it needs of the rest, the SQL previews what is left.
 */
function summary_renderSummary(report, budget = SUMMARY_BUDGET) {
    const mode = report.dryRun ? ' (dry run)' : '';
    const command = report.command === 'migrate' ? '' : ` \u00b7 ${report.command}`;
    const head = `<h3>PostgreSQL migrations: ${(0,html/* escapeHtml */.Z)(report.target)}${command}${mode}</h3>\n<p><strong>${(0,html/* escapeHtml */.Z)(report.verdict)}</strong></p>\n`;
    const margin = 400; // the "did not fit" line and the table's frame
    let left = budget - Buffer.byteLength(head) - margin;
    const findings = findingsSection(report, Math.floor(left / 3));
    left -= Buffer.byteLength(findings);
    const changes = changesSection(report, Math.floor(left / 3));
    left -= Buffer.byteLength(changes);
    const review = report.review ? (0,report_review/* renderReviewSection */.KE)(report.review, Math.floor(left / 3)) : '';
    left -= Buffer.byteLength(review);
    if (report.entries.length === 0) {
        return `${head}<p>No migration files and no recorded migrations.</p>\n${findings}${changes}${review}`;
    }
    const tableHead = '<table>\n<tr><th>Version</th><th>File</th><th>Status</th><th>Checksum</th><th>Duration</th><th>Note</th></tr>\n';
    const tableTail = '</table>\n';
    const { rows, left: notShown } = chooseRows(report.entries, Math.max(0, left));
    left -= rows.reduce((sum, row) => sum + Buffer.byteLength(row), 0);
    const more = notShown > 0
        ? `<p>${(0,model/* plural */.LS)(notShown, 'more row')} did not fit in the summary: the log of this step lists every migration.</p>\n`
        : '';
    const sql = sqlSection(report, Math.max(0, left));
    return `${head}${tableHead}${rows.join('')}${tableTail}${more}${findings}${review}${changes}${sql}`;
}

;// CONCATENATED MODULE: ./lib/report/text.js

const text_HEADINGS = ['VERSION', 'FILE', 'STATUS', 'CHECKSUM', 'DURATION', 'NOTE'];
function cells(entry) {
    return [
        (0,model/* versionLabel */.dp)(entry),
        entry.name,
        entry.status,
        entry.checksum.slice(0, 12),
        (0,model/* formatDuration */.a3)(entry.durationMs),
        entry.note ?? '',
    ];
}
/** The status table as plain text for the log: every row, columns padded to line up. */
function renderTextTable(entries) {
    const rows = [text_HEADINGS, ...entries.map(cells)];
    const widths = text_HEADINGS.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
    return rows
        .map((r) => r
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd())
        .join('\n');
}

;// CONCATENATED MODULE: ./lib/runner/toolkit.js
// The workflow commands the action speaks to the runner (in place of @actions/core): the only writer of them.
/**
 * The workflow commands the action speaks to the runner: inputs, outputs, masks, log lines,
 * annotations, groups and the failure. Written here rather than imported from `@actions/core`,
 * whose entry module also loads its OIDC client and with it undici (900 KB of the bundle, about a
 * third of a cold start spent compiling code a migration never runs). The behaviour is the
 * toolkit's: the same names, escaping and file-command format.
 */



/** `core.getInput`: INPUT_<NAME> with spaces as `_`, upper-cased, dashes kept, trimmed. */
function getInput(name) {
    return (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}
function escapeData(text) {
    return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(text) {
    return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
function issue(command, message, properties = {}) {
    const props = Object.entries(properties)
        .filter(([, value]) => value !== undefined && value !== '')
        .map(([key, value]) => `${key}=${escapeProperty(String(value))}`)
        .join(',');
    process.stdout.write(`::${command}${props ? ` ${props}` : ''}::${escapeData(message)}${external_node_os_namespaceObject.EOL}`);
}
/** Masks `secret` in every later line of the log. */
function setSecret(secret) {
    issue('add-mask', secret);
}
function info(message) {
    process.stdout.write(`${message}${external_node_os_namespaceObject.EOL}`);
}
function annotation(level, message, at) {
    issue(level, message, { title: at.title, file: at.file, line: at.startLine });
}
function error(message, properties = {}) {
    annotation('error', message, properties);
}
function toolkit_warning(message, properties = {}) {
    annotation('warning', message, properties);
}
function notice(message, properties = {}) {
    annotation('notice', message, properties);
}
function startGroup(name) {
    issue('group', name);
}
function endGroup() {
    issue('endgroup', '');
}
/** An output, through the $GITHUB_OUTPUT file (a heredoc with a random delimiter). */
function setOutput(name, value) {
    const file = process.env.GITHUB_OUTPUT;
    if (!file) {
        // Outside a runner (or an old one) the output still shows in the log, on a line of its own
        // even after output without a newline, as @actions/core writes it.
        process.stdout.write(external_node_os_namespaceObject.EOL);
        issue('set-output', value, { name });
        return;
    }
    const delimiter = `ghadelimiter_${(0,external_node_crypto_.randomUUID)()}`;
    (0,external_node_fs_.appendFileSync)(file, `${name}<<${delimiter}${external_node_os_namespaceObject.EOL}${value}${external_node_os_namespaceObject.EOL}${delimiter}${external_node_os_namespaceObject.EOL}`, 'utf8');
}
/** The step fails with this message: an error line and exit code 1. */
function setFailed(message) {
    process.exitCode = 1;
    error(message);
}

;// CONCATENATED MODULE: ./lib/runner/publish.js
// Publishes a report to the runner: outputs, the job summary file, the log table and annotations.








/** GitHub shows at most 10 annotations of one type per step. */
const MAX_ANNOTATIONS = 10;
function setOutputs(report) {
    const applied = (0,model/* appliedVersions */.$C)(report.entries);
    const pending = (0,model/* pendingVersions */.jZ)(report.entries);
    setOutput('result', report.result);
    setOutput('applied', JSON.stringify(applied));
    setOutput('applied-count', String(applied.length));
    setOutput('pending', JSON.stringify(pending));
    setOutput('pending-count', String(pending.length));
    setOutput('drift', String(report.drift));
    setOutput('dry-run', String(report.dryRun));
    if (report.review)
        setOutput('risks', (0,report_review/* risksOutput */.gQ)(report.review));
}
/** Outputs for a run that failed before it could report: nothing was applied. */
function setFailureOutputs(dryRun) {
    setOutput('result', 'failed');
    setOutput('applied', '[]');
    setOutput('applied-count', '0');
    setOutput('pending', '[]');
    setOutput('pending-count', '0');
    setOutput('drift', 'false');
    setOutput('dry-run', String(dryRun ?? false));
}
function annotationsOf(report, folder) {
    const fileOf = (name) => (name ? external_node_path_.join(folder, name) : undefined);
    const list = report.findings.map((f) => ({
        level: f.stops ? 'error' : 'warning',
        message: f.message,
        // A missing migration has no file to point at.
        file: f.kind === 'missing' ? undefined : fileOf(f.file),
        line: f.line ?? (isDrift(f) ? 1 : undefined),
    }));
    if (report.failure) {
        const { file, line, message, hint } = report.failure;
        list.push({
            level: 'error',
            message: `${message}${hint ? ` (hint: ${hint})` : ''}`,
            file: fileOf(file),
            line,
        });
    }
    // The review's open findings at each statement's line, dangers first: a danger is an error
    // when it fails the run (safety: fail), else a warning; a warning-level finding is a notice.
    for (const risk of (0,report_review/* ordered */.Sj)(report.review?.risks ?? [])) {
        if (risk.acknowledged !== undefined)
            continue;
        list.push({
            level: risk.level === 'warning' ? 'notice' : report.review?.mode === 'fail' ? 'error' : 'warning',
            message: `${risk.rule}: ${(0,report_review/* whatHappens */.wj)(risk)} Safer: ${risk.saferWay}`,
            file: fileOf(risk.file),
            line: risk.line,
        });
    }
    return list;
}
/** Annotations where the reviewer looks; past GitHub's ten per type, the last one counts the rest. */
function annotate(report, folder) {
    // A failing run's verdict is an error annotation too (setFailed): it keeps one of the ten.
    const failing = report.result === 'failed' || report.result === 'drift';
    for (const level of ['error', 'warning', 'notice']) {
        const room = MAX_ANNOTATIONS - (level === 'error' && failing ? 1 : 0);
        const list = annotationsOf(report, folder).filter((a) => a.level === level);
        const shown = list.length > room ? list.slice(0, room - 1) : list;
        const write = level === 'error' ? error : level === 'warning' ? toolkit_warning : notice;
        for (const a of shown)
            write(a.message, a.file ? { file: a.file, startLine: a.line } : {});
        if (shown.length < list.length) {
            write(`${list.length - shown.length} more ${level}s: see the job summary.`);
        }
    }
}
/** The log: the verdict, the findings, and the whole status table as plain text. */
function log(report) {
    info(report.verdict);
    if (report.entries.length > 0) {
        startGroup(`Status of ${report.entries.length} migrations`);
        info(renderTextTable(report.entries));
        endGroup();
    }
    for (const finding of report.findings)
        info(`Finding: ${finding.message}`);
    for (const change of report.changes)
        info(`Changed: ${change}`);
    if (report.review) {
        startGroup('Safety review');
        for (const line of (0,report_review/* renderReviewText */.wm)(report.review))
            info(line);
        endGroup();
    }
    if (report.failure?.detail)
        info(`DETAIL: ${report.failure.detail}`);
    if (report.failure?.hint)
        info(`HINT: ${report.failure.hint}`);
}
/** Appends the summary to $GITHUB_STEP_SUMMARY, when the step has one. */
function writeSummary(report) {
    const file = process.env.GITHUB_STEP_SUMMARY;
    if (!file)
        return;
    (0,external_node_fs_.appendFileSync)(file, `${summary_renderSummary(report)}\n`);
}

;// CONCATENATED MODULE: ./lib/runner/fleet-publish.js
// Publishes a fleet run to the runner: one log group per target, the fleet table, the outputs, the summary and annotations.





/** GitHub shows at most 10 error annotations per step; the failing verdict takes one. */
const MAX_TARGET_ANNOTATIONS = 9;
/** A target's detail in the log: one group, the single-database log inside it. */
function logTarget(result, report) {
    startGroup(`${result.name}: ${result.result}${result.error ? ` (${result.error})` : ''}`);
    if (report)
        log(report);
    else if (result.error)
        info(result.error);
    endGroup();
}
/** The fleet's outputs: SPEC's `result`, counts, unions, `targets`, and drift and dry-run. */
function setFleetOutputs(results, dryRun) {
    const outputs = fleetOutputs(results);
    setOutput('result', outputs.result);
    setOutput('applied', JSON.stringify(outputs.applied));
    setOutput('applied-count', String(outputs.appliedCount));
    setOutput('pending', JSON.stringify(outputs.pending));
    setOutput('pending-count', String(outputs.pendingCount));
    setOutput('drift', String(results.some((r) => r.result === 'drift')));
    setOutput('dry-run', String(dryRun));
    setOutput('targets', outputs.targets);
}
/**
 * The fleet in the log (every target on a line), the summary, and an error annotation for the
 * first problem targets. Returns the fleet's verdict.
 */
function publishFleet(results, { kind, dryRun }) {
    info(renderFleetLog(results, kind));
    const file = process.env.GITHUB_STEP_SUMMARY;
    if (file)
        (0,external_node_fs_.appendFileSync)(file, `${renderFleetSummary(results, { kind, dryRun })}\n`);
    const problems = results.filter((r) => r.result === 'failed' || r.result === 'drift');
    for (const problem of problems.slice(0, MAX_TARGET_ANNOTATIONS)) {
        error(`${problem.name}: ${problem.error ?? problem.result}`, { title: problem.name });
    }
    if (problems.length > MAX_TARGET_ANNOTATIONS) {
        error(`${problems.length - MAX_TARGET_ANNOTATIONS} more targets failed or drifted: see the job summary.`);
    }
    setFleetOutputs(results, dryRun);
    return fleetVerdict(results, kind);
}

;// CONCATENATED MODULE: ./lib/fleet/inputs.js
// The fleet's inputs checked and typed, from the raw strings (pure: never reads an input itself, never logs).


/** The defaults of action.yml, applied to an empty value as the runner would. */
const FLEET_DEFAULTS = {
    concurrency: '4',
    canary: '1',
    'on-target-failure': 'stop',
};
function wholeNumber(name, raw, min) {
    const value = raw.trim();
    const number = /^\d{1,15}$/.test(value) ? Number(value) : Number.NaN;
    if (!(number >= min)) {
        throw new ConfigurationError(`Input ${name} is "${value}", but it must be a whole number of ${min} or more.`);
    }
    return number;
}
/** `concurrency`: targets migrated at the same time, 1 or more (empty: 4). */
function parseConcurrency(raw) {
    return wholeNumber('concurrency', raw.trim() || FLEET_DEFAULTS.concurrency, 1);
}
/** `canary`: targets migrated first, one at a time and alone, 0 or more (empty: 1). */
function parseCanary(raw) {
    return wholeNumber('canary', raw.trim() || FLEET_DEFAULTS.canary, 0);
}
/** `on-target-failure`: `stop` or `continue` (empty: stop). */
function parseOnTargetFailure(raw) {
    const value = raw.trim() || FLEET_DEFAULTS['on-target-failure'];
    if (value !== 'stop' && value !== 'continue') {
        throw new ConfigurationError(`Input on-target-failure is "${value}", but it must be one of: stop, continue.`);
    }
    return value;
}
/** `shard`: none when empty, else `i/n` counted from 1 (see `Shard`). */
function parseShardInput(raw) {
    const value = raw.trim();
    return value ? parseShard(value) : undefined;
}
/**
 * Which of `database-url`, `database-urls`, `databases-query` and `schemas-query` say where the
 * targets are: `database-urls` replaces `database-url`, and giving both is an error; each query
 * runs on `database-url`, which it then needs; the two queries exclude each other. An empty
 * `database-url` falls back to `fallbackUrl` (DATABASE_URL or DSN), which does not count as
 * giving it: a job-wide DATABASE_URL does not conflict with `database-urls`. An empty result for a
 * single database is left to the caller's error. No message repeats a URL.
 */
function targetSource(inputs) {
    const databaseUrl = inputs.databaseUrl.trim();
    const orFallback = databaseUrl || (inputs.fallbackUrl ?? '').trim();
    const databaseUrls = inputs.databaseUrls.trim();
    const databasesQuery = inputs.databasesQuery.trim();
    const schemasQuery = inputs.schemasQuery.trim();
    if (databaseUrls) {
        if (databaseUrl) {
            throw new ConfigurationError('Inputs database-url and database-urls are both given, but only one may be: put every target in database-urls, one per line.');
        }
        if (databasesQuery || schemasQuery) {
            const query = databasesQuery ? 'databases-query' : 'schemas-query';
            throw new ConfigurationError(`Inputs database-urls and ${query} are both given, but only one may be: ${query} runs on database-url and makes the targets itself.`);
        }
        return { kind: 'list', databaseUrls };
    }
    if (databasesQuery && schemasQuery) {
        throw new ConfigurationError('Inputs databases-query and schemas-query are both given, but only one may be: a fleet is either databases on one server or schemas in one database.');
    }
    const query = databasesQuery || schemasQuery;
    if (query) {
        const kind = databasesQuery ? 'databases-query' : 'schemas-query';
        if (!orFallback) {
            throw new ConfigurationError(`Input ${kind} is given, but database-url is not: the query runs on database-url, so give it too.`);
        }
        return { kind, databaseUrl: orFallback, query };
    }
    return { kind: 'single', databaseUrl: orFallback };
}

;// CONCATENATED MODULE: ./lib/runner/inputs.js
// Reads every input of action.yml once, checks it, and types it: the only reader of INPUT_* variables.







/** The `layout` input's values: `auto`, the plain layout, or another tool's. */
const LAYOUTS = ['auto', ...LAYOUT_IDS];
/** The `import-history` input's values: `auto`, `none`, or the tool whose table to read. */
const HISTORY_TOOLS = ['auto', 'none', ...LAYOUT_IDS.filter((l) => l !== 'plain')];
// Defaults of action.yml, repeated here because `node dist/index.js` run by hand gets no defaults
// from a runner.
const DEFAULTS = {
    'migrations-dir': 'migrations',
    command: 'migrate',
    'dry-run': 'auto',
    rehearse: 'false',
    'on-drift': 'fail',
    'allow-out-of-order': 'false',
    schema: 'public',
    table: 'schema_migrations',
    transaction: 'per-migration',
    'lock-wait-timeout': '600',
    'lock-retries': '0',
    'connect-timeout': '30',
    'pr-comment': 'false',
    safety: 'warn',
    'allow-data-loss': 'false',
    layout: 'auto',
    'import-history': 'auto',
    'skip-go-migrations': 'false',
};
const DRY_RUN_EVENTS = new Set(['pull_request', 'pull_request_target', 'merge_group']);
function input(name) {
    return getInput(name) || DEFAULTS[name] || '';
}
function oneOf(name, allowed) {
    const value = input(name);
    if (!allowed.includes(value)) {
        throw new ConfigurationError(`Input ${name} is "${value}", but it must be one of: ${allowed.join(', ')}.`);
    }
    return value;
}
/** `core.getBooleanInput`'s rule (YAML 1.2 core schema), with a sentence that names the input. */
function inputs_boolean(name, alternatives = '') {
    const value = input(name);
    if (['true', 'True', 'TRUE'].includes(value))
        return true;
    if (['false', 'False', 'FALSE'].includes(value))
        return false;
    throw new ConfigurationError(`Input ${name} is "${value}", but it must be ${alternatives}true or false.`);
}
function inputs_wholeNumber(name, { min }) {
    const value = input(name);
    const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!(number >= min) || !Number.isSafeInteger(number)) {
        const kind = min > 0 ? 'a positive whole number' : 'a whole number (0 or more)';
        throw new ConfigurationError(`Input ${name} is "${value}", but it must be ${kind}.`);
    }
    return number;
}
/** A PostgreSQL duration such as `5s`, `500ms`, `1min` or a plain number of milliseconds. */
function duration(name) {
    const value = input(name);
    if (!value)
        return undefined;
    if (!/^\d+(\.\d+)?\s*(us|ms|s|min|h|d)?$/.test(value)) {
        throw new ConfigurationError(`Input ${name} is "${value}", but it must be a PostgreSQL duration such as 5s, 500ms or 2min.`);
    }
    return value;
}
/**
 * A name PostgreSQL accepts unquoted: letters, digits and `_`, at most 63 bytes, folded to lower
 * case as PostgreSQL folds an unquoted name. The action quotes the name in its SQL, so without the
 * fold `schema: Ops` would create a second tracking table `"Ops"` beside `ops`, and every
 * migration would be applied again.
 */
function identifier(name) {
    const value = input(name);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value) || value.length > 63) {
        throw new ConfigurationError(`Input ${name} is "${value}", but it must be a plain identifier: letters, digits and _, not starting with a digit, at most 63 characters.`);
    }
    return value.toLowerCase();
}
/**
 * The sentence for a run without a URL. The usual cause on a pull request is a fork: GitHub passes
 * no secrets to its workflows, so the step must be skipped there rather than fail.
 */
const MISSING_URL = 'No database URL was given: set the database-url input (or the DATABASE_URL or DSN environment variable), and on pull requests from forks, which get no secrets, skip this step with if: github.event.pull_request.head.repo.fork != true.';
/**
 * A migration version input such as `to-version`, as written: digits, with the `.`, `_` or `-`
 * of Flyway's and diesel's versions. The folder's layout reads it exactly once the folder is read.
 */
function versionInput(name) {
    const value = input(name);
    if (!value)
        return undefined;
    if (!/^\d[\d._-]*$/.test(value)) {
        throw new ConfigurationError(`Input ${name} is "${value}", but it must be a migration version such as 3 (or 1.7 for Flyway).`);
    }
    return value;
}
function databaseUrl() {
    const url = getInput('database-url') || process.env.DATABASE_URL || process.env.DSN || '';
    if (!url) {
        throw new ConfigurationError(MISSING_URL);
    }
    return url;
}
/**
 * Reads and checks every input. The database URL comes first so that its password is registered
 * as a secret before any other message can be written.
 */
function getSettings() {
    const { fleet, url } = fleetSettings();
    // The runner masks github.token itself; a token passed any other way is masked here.
    const githubToken = getInput('github-token');
    if (githubToken)
        setSecret(githubToken);
    const target = fleet?.targets?.[0]?.target ?? parseDatabaseUrl(url);
    const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
    const migrationsDirInput = input('migrations-dir');
    const migrationsDir = external_node_path_.resolve(workspace, migrationsDirInput);
    const command = oneOf('command', [
        'migrate',
        'validate',
        'baseline',
        'repair',
        'rollback',
    ]);
    const eventName = process.env.GITHUB_EVENT_NAME ?? '';
    const dryRun = input('dry-run') === 'auto' ? DRY_RUN_EVENTS.has(eventName) : inputs_boolean('dry-run', 'auto, ');
    const baselineVersion = versionInput('baseline-version');
    const toVersion = versionInput('to-version');
    if (command === 'rollback' && toVersion === undefined) {
        throw new ConfigurationError('command: rollback needs to-version, the version to roll back to (every applied migration above it is rolled back; 0 rolls back all): set to-version.');
    }
    const rehearse = inputs_boolean('rehearse');
    // A rehearsal executes the pull request's SQL; on pull_request_target it would run with the
    // base repository's secrets and write token.
    if (rehearse && dryRun && eventName === 'pull_request_target') {
        throw new ConfigurationError("rehearse: true is refused on pull_request_target events, where a pull request's SQL would run with the repository's secrets: rehearse on pull_request instead.");
    }
    return {
        target,
        migrationsDir,
        migrationsDirForAnnotations: external_node_path_.relative(workspace, migrationsDir) || '.',
        command,
        dryRun,
        rehearse,
        onDrift: oneOf('on-drift', ['fail', 'warn']),
        allowOutOfOrder: inputs_boolean('allow-out-of-order'),
        schema: identifier('schema'),
        table: identifier('table'),
        baselineVersion,
        toVersion,
        allowDataLoss: inputs_boolean('allow-data-loss'),
        transaction: oneOf('transaction', ['per-migration', 'all']),
        lockWaitTimeoutSeconds: inputs_wholeNumber('lock-wait-timeout', { min: 0 }),
        lockTimeout: duration('lock-timeout'),
        lockRetries: inputs_wholeNumber('lock-retries', { min: 0 }),
        statementTimeout: duration('statement-timeout'),
        connectTimeoutSeconds: inputs_wholeNumber('connect-timeout', { min: 1 }),
        prComment: inputs_boolean('pr-comment'),
        safety: oneOf('safety', ['warn', 'fail', 'off']),
        githubToken,
        eventName,
        layout: oneOf('layout', LAYOUTS),
        importHistory: oneOf('import-history', HISTORY_TOOLS),
        skipGoMigrations: inputs_boolean('skip-go-migrations'),
        ...(fleet && { fleet }),
    };
}
/**
 * Which inputs name the targets, with every password registered as a secret before anything is
 * parsed, so no message (a parse error included) can show one. `url` is `database-url` (or its
 * fallback), empty for `database-urls`.
 */
function fleetSettings() {
    const databaseUrls = getInput('database-urls');
    for (const secret of secretsOfTargetList(databaseUrls))
        setSecret(secret);
    const given = getInput('database-url');
    const fallbackUrl = process.env.DATABASE_URL || process.env.DSN || '';
    for (const secret of secretsOf(given || fallbackUrl))
        setSecret(secret);
    const source = targetSource({
        databaseUrl: given,
        fallbackUrl,
        databaseUrls,
        databasesQuery: getInput('databases-query'),
        schemasQuery: getInput('schemas-query'),
    });
    if (source.kind === 'single')
        return { url: databaseUrl() };
    const fleet = {
        source,
        concurrency: parseConcurrency(getInput('concurrency')),
        canary: parseCanary(getInput('canary')),
        onTargetFailure: parseOnTargetFailure(getInput('on-target-failure')),
        shard: parseShardInput(getInput('shard')),
    };
    if (source.kind === 'list') {
        return { fleet: { ...fleet, targets: parseTargetList(source.databaseUrls) }, url: '' };
    }
    return { fleet, url: source.databaseUrl };
}

;// CONCATENATED MODULE: ./lib/runner/pr-comment.js
// Creates or updates the one pull-request comment with the summary, through the GitHub API.




/** GitHub refuses a comment over 65,536 characters; the summary budget counts bytes, which is more. */
const COMMENT_BUDGET = 60_000;
const PR_EVENTS = new Set(['pull_request', 'pull_request_target']);
/**
 * The hidden marker of this action's comment for one database: two jobs against two databases
 * keep two comments. The target is hashed so that nothing in it can end the HTML comment.
 */
function commentMarker(target) {
    const id = (0,external_node_crypto_.createHash)('sha256').update(target).digest('hex').slice(0, 16);
    return `<!-- agoat/migrate-action:${id} -->`;
}
function commentBody(report, target) {
    const marker = commentMarker(target);
    return `${marker}\n${renderSummary(report, COMMENT_BUDGET - marker.length - 1)}`;
}
/**
 * Creates or updates this action's one comment on the pull request. Best effort: a fork's
 * read-only token or a workflow without `pull-requests: write` gives a warning, never a failure.
 * `@actions/github` is loaded only here, so runs without a comment start fast.
 */
function upsertComment(report, options) {
    return upsertRendered((budget) => summary_renderSummary(report, budget), options);
}
/** Like `upsertComment`, with the body rendered within the budget it is given (a fleet's summary). */
async function upsertRendered(render, { token, target, eventName }) {
    if (!PR_EVENTS.has(eventName)) {
        info(`pr-comment: ${eventName || 'this event'} is not a pull request; no comment written.`);
        return;
    }
    if (!token) {
        toolkit_warning('pr-comment is true but github-token is empty: no comment written.');
        return;
    }
    try {
        const { context, getOctokit } = await __nccwpck_require__.e(/* import() */ 413).then(__nccwpck_require__.bind(__nccwpck_require__, 2413));
        const number = context.payload.pull_request?.number;
        if (!number) {
            toolkit_warning('pr-comment: the event has no pull request number; no comment written.');
            return;
        }
        const octokit = getOctokit(token);
        const { owner, repo } = context.repo;
        const marker = commentMarker(target);
        const body = `${marker}\n${render(COMMENT_BUDGET - marker.length - 1)}`;
        // Only comments written by this token's user count, so nobody else's comment is edited.
        const login = await octokit.rest.users
            .getAuthenticated()
            .then((r) => r.data.login)
            .catch(() => 'github-actions[bot]');
        const comments = await octokit.paginate(octokit.rest.issues.listComments, {
            owner,
            repo,
            issue_number: number,
            per_page: 100,
        });
        const mine = comments.find((c) => c.user?.login === login && c.body?.startsWith(marker));
        if (mine) {
            await octokit.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body });
            info(`Updated the pull request comment ${mine.html_url}`);
        }
        else {
            const created = await octokit.rest.issues.createComment({
                owner,
                repo,
                issue_number: number,
                body,
            });
            info(`Commented on the pull request: ${created.data.html_url}`);
        }
    }
    catch (error) {
        const status = error.status;
        const why = status === 403 || status === 404
            ? 'the token may not write to pull requests (a fork, or no `permissions: pull-requests: write`)'
            : messageOf(error);
        toolkit_warning(`pr-comment: the pull request comment was not written: ${why}.`);
    }
}

;// CONCATENATED MODULE: ./lib/main.js
// Wires one run together: inputs, files and history, the command, then the report. The only place effects meet.


















const COMMANDS = {
    migrate: migrate,
    validate: validate,
    baseline: baseline,
    repair: repair,
    rollback: rollback,
};
/** The action: inputs, files and history, the command, then the report. Never throws. */
async function run() {
    let settings;
    let db;
    // A cancelled job gets SIGINT, then SIGTERM: cancel the running statement, start nothing new,
    // and let the run record and report the truth before it exits.
    const cancel = new AbortController();
    const onSignal = (signal) => {
        if (cancel.signal.aborted)
            return;
        toolkit_warning(`Received ${signal}: cancelling the running statement; nothing new will start.`);
        cancel.abort();
        if (db && settings)
            void cancelRunning(settings.target, db.client);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
        settings = getSettings();
        for (const name of settings.target.ignoredParameters) {
            toolkit_warning(`The database URL parameter ${name} is not used by this action and was ignored.`);
        }
        if (settings.fleet) {
            await runFleetStep(settings, cancel.signal);
            return;
        }
        const command = COMMANDS[settings.command];
        // The files are read while the connection is being opened, and the history is read as soon
        // as it is open: with thousands of files, the server answers while they are still being read.
        const connecting = connect(settings.target, settings.connectTimeoutSeconds, info);
        const tracking = { schema: settings.schema, table: settings.table };
        const read = connecting.then((d) => readHistoryExplained(d.client, tracking));
        // The command awaits it and reports its failure; this only keeps it from counting as unhandled.
        read.catch(() => undefined);
        const discovery = await readFolder(settings.migrationsDir, {
            layout: settings.layout,
            skipGo: settings.skipGoMigrations,
        }).catch((error) => {
            connecting.then((d) => d.client.end(), () => undefined);
            throw error;
        });
        const open = await connecting;
        db = open;
        const { target } = settings;
        if (discovery.layout !== 'plain' || settings.layout !== 'auto') {
            info(`Layout: ${discovery.layout} (${discovery.reason}).`);
        }
        for (const warning of discovery.warnings)
            toolkit_warning(warning);
        const dialects = otherDialectsLine(discovery.skipped);
        if (dialects !== undefined)
            info(dialects);
        for (const file of discovery.skipped) {
            if (file.otherDialect === undefined)
                toolkit_warning(`Skipped ${file.path}: ${file.reason}.`);
        }
        // migrate and validate see another tool's history in an empty tracking table (import-history).
        const tools = ['migrate', 'validate'].includes(settings.command)
            ? toolsToImport(settings.importHistory, discovery.layout)
            : [];
        const adoption = tools.length === 0
            ? undefined
            : new Adoption(open.client, tracking, tools, discovery.migrations);
        const history = adoption ? read.then((h) => adoption.history(h)) : read;
        history.catch(() => undefined);
        const report = await command({
            settings,
            db,
            discovery,
            tracking,
            history,
            log: info,
            warn: toolkit_warning,
            signal: cancel.signal,
            cancelRunning: () => void cancelRunning(target, open.client),
            adoption,
        });
        log(report);
        annotate(report, settings.migrationsDirForAnnotations);
        setOutputs(report);
        writeSummary(report);
        if (settings.prComment) {
            await upsertComment(report, {
                token: settings.githubToken,
                target: `${settings.target.label}:${settings.target.port} ${settings.schema}.${settings.table}`,
                eventName: settings.eventName,
            });
        }
        if (report.result === 'failed' || report.result === 'drift')
            setFailed(report.verdict);
    }
    catch (error) {
        setFailureOutputs(settings?.dryRun);
        setFailed(messageOf(error));
    }
    finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await db?.client.end().catch(() => undefined);
    }
}
/**
 * Many databases in one step: every target checked, then migrated in waves, one group per target
 * in the log as it finishes, then one report for the fleet. Throws only before any target ran.
 */
async function runFleetStep(settings, signal) {
    const fleet = await runFleet(settings, {
        log: info,
        warn: toolkit_warning,
        onTarget: logTarget,
        signal,
    });
    const { kind, results } = fleet;
    const verdict = publishFleet(results, { kind, dryRun: settings.dryRun });
    if (settings.prComment) {
        const { source, shard } = settings.fleet ?? {};
        await upsertRendered((budget) => renderFleetSummary(results, { kind, dryRun: settings.dryRun, budget }), {
            token: settings.githubToken,
            target: `fleet ${source?.kind} ${settings.target.label}:${settings.target.port} ${settings.schema}.${settings.table}${shard ? ` shard ${shard.index}/${shard.count}` : ''}`,
            eventName: settings.eventName,
        });
    }
    if (results.some((r) => r.result === 'failed' || r.result === 'drift'))
        setFailed(verdict);
    else if (signal.aborted)
        setFailed(`The job was cancelled: ${verdict}`);
}


/***/ }),

/***/ 7325:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Z: () => (/* binding */ escapeHtml)
/* harmony export */ });
// Escaping text for the summary, which is HTML throughout. Pure.
const HTML_ESCAPES = {
    '&': '&amp;',
    '<': '&lt;',
    '>': '&gt;',
    '"': '&quot;',
    "'": '&#39;',
    '|': '&#124;',
};
/**
 * Escapes text for the summary, which is HTML throughout (GitHub does not read Markdown inside
 * an HTML block), so a file name or an error message can never break the table.
 */
function escapeHtml(text) {
    return text.replace(/[&<>"'|]/g, (c) => HTML_ESCAPES[c] ?? c);
}


/***/ }),

/***/ 5747:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   $C: () => (/* binding */ appliedVersions),
/* harmony export */   LS: () => (/* binding */ plural),
/* harmony export */   a3: () => (/* binding */ formatDuration),
/* harmony export */   dp: () => (/* binding */ versionLabel),
/* harmony export */   jZ: () => (/* binding */ pendingVersions)
/* harmony export */ });
const NOT_PENDING = new Set([
    'applied',
    'already applied',
    'baseline',
    'modified',
    'missing',
    'would roll back',
]);
/**
 * Versions as the outputs give them: the numeric version without leading zeros, or, for a version
 * the tracking table keeps under a stand-in (Flyway's `1.7`), the file's own label (never the
 * stand-in's negative number).
 */
function appliedVersions(entries) {
    return entries.filter((e) => e.status === 'applied').map(outputVersion);
}
/** Versions without an applied or baseline row after the run. */
function pendingVersions(entries) {
    return entries.filter((e) => !NOT_PENDING.has(e.status)).map(outputVersion);
}
function outputVersion(entry) {
    return entry.key === undefined ? entry.version.toString() : versionLabel(entry);
}
/**
 * The version as the file writes it (`00003`, another tool's label), else the exact version the
 * row recorded (`version_key`), else the number.
 */
function versionLabel(entry) {
    return entry.migration?.label ?? entry.key ?? entry.version.toString();
}
function plural(count, one, many = `${one}s`) {
    return `${count} ${count === 1 ? one : many}`;
}
function formatDuration(ms) {
    if (ms === undefined)
        return '';
    return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}


/***/ }),

/***/ 7140:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   KE: () => (/* binding */ renderReviewSection),
/* harmony export */   Sj: () => (/* binding */ ordered),
/* harmony export */   gQ: () => (/* binding */ risksOutput),
/* harmony export */   wj: () => (/* binding */ whatHappens),
/* harmony export */   wm: () => (/* binding */ renderReviewText)
/* harmony export */ });
/* unused harmony exports formatSize, reviewHeadline */
/* harmony import */ var _html_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7325);
/* harmony import */ var _model_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(5747);


/** The statement as the report quotes it: its first line, cut where it stops being readable. */
const STATEMENT_CHARS = 120;
/** `1.2 M rows, 340 MB`: the size that turns a lock into a decision. */
function formatSize(size) {
    if (!size)
        return '';
    const rows = size.rows < 0
        ? 'never analysed'
        : size.rows >= 1e6
            ? `${(size.rows / 1e6).toFixed(1)} M rows`
            : size.rows >= 1e4
                ? `${Math.round(size.rows / 1e3)} k rows`
                : `${Math.round(size.rows).toLocaleString('en-US')} ${Math.round(size.rows) === 1 ? 'row' : 'rows'}`;
    const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
    let value = size.bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
        value /= 1024;
        unit++;
    }
    const bytes = unit === 0 ? `${value} bytes` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
    return `${rows}, ${bytes}`;
}
/** What happens, as one sentence: the fact, where it comes from, the lock and the table's size. */
function whatHappens(risk) {
    // The lock is named once: most rules' sentences already say which one they take.
    const lock = risk.lockMode && risk.table && !risk.what.includes(risk.lockMode)
        ? ` Takes ${risk.lockMode} on ${risk.table}.`
        : '';
    const size = risk.size ? ` ${risk.table ?? 'The table'} has ${formatSize(risk.size)}.` : '';
    const took = risk.durationMs === undefined
        ? ''
        : ` It took ${(0,_model_js__WEBPACK_IMPORTED_MODULE_1__/* .formatDuration */ .a3)(risk.durationMs)} in the rehearsal.`;
    return `${risk.source}: ${risk.what}${lock}${size}${took}`;
}
function cut(text, limit) {
    const first = text.split('\n', 1)[0] ?? '';
    return first.length > limit || first !== text.trimEnd() ? `${first.slice(0, limit)}\u2026` : first;
}
const LEVEL_ICON = { danger: '\ud83d\uded1', warning: '\u26a0\ufe0f' };
function riskRow(risk) {
    const cells = [
        `${LEVEL_ICON[risk.level]} ${risk.level}`,
        `<code>${(0,_html_js__WEBPACK_IMPORTED_MODULE_0__/* .escapeHtml */ .Z)(risk.rule)}</code>`,
        `<code>${(0,_html_js__WEBPACK_IMPORTED_MODULE_0__/* .escapeHtml */ .Z)(risk.file)}</code> line ${risk.line}`,
        `<code>${(0,_html_js__WEBPACK_IMPORTED_MODULE_0__/* .escapeHtml */ .Z)(cut(risk.statement, STATEMENT_CHARS))}</code>`,
        (0,_html_js__WEBPACK_IMPORTED_MODULE_0__/* .escapeHtml */ .Z)(whatHappens(risk)),
        risk.acknowledged === undefined
            ? (0,_html_js__WEBPACK_IMPORTED_MODULE_0__/* .escapeHtml */ .Z)(risk.saferWay)
            : `acknowledged: ${(0,_html_js__WEBPACK_IMPORTED_MODULE_0__/* .escapeHtml */ .Z)(risk.acknowledged)}`,
    ];
    return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>\n`;
}
/** Dangers first, then warnings; acknowledged ones after the open ones of their level. */
function ordered(risks) {
    const rank = (r) => (r.level === 'danger' ? 0 : 2) + (r.acknowledged === undefined ? 0 : 1);
    return [...risks].sort((a, b) => rank(a) - rank(b) || a.file.localeCompare(b.file) || a.line - b.line);
}
/** One line that counts what the review found. */
function reviewHeadline(review) {
    const open = review.risks.filter((r) => r.acknowledged === undefined);
    const dangers = open.filter((r) => r.level === 'danger').length;
    const warnings = open.length - dangers;
    const acknowledged = review.risks.length - open.length;
    const found = open.length === 0
        ? 'no open finding'
        : [dangers ? (0,_model_js__WEBPACK_IMPORTED_MODULE_1__/* .plural */ .LS)(dangers, 'danger') : '', warnings ? (0,_model_js__WEBPACK_IMPORTED_MODULE_1__/* .plural */ .LS)(warnings, 'warning') : '']
            .filter(Boolean)
            .join(', ');
    const ack = acknowledged > 0 ? ` (${acknowledged} acknowledged)` : '';
    const basis = review.observed
        ? `predicted from PostgreSQL's parse tree for PostgreSQL ${review.serverVersion} and observed in the rehearsal`
        : `predicted from PostgreSQL's parse tree for PostgreSQL ${review.serverVersion}; rehearse: true adds what the target really does`;
    return `Safety review: ${found}${ack}, ${basis}.`;
}
/**
 * The summary's "Safety review" section within `budget` bytes: the headline, the table of
 * findings (dangers first; what does not fit is counted), what the review could not do, and the
 * schema changes.
 */
function renderReviewSection(review, budget) {
    const head = `<h4>Safety review</h4>\n<p>${(0,_html_js__WEBPACK_IMPORTED_MODULE_0__/* .escapeHtml */ .Z)(reviewHeadline(review))}</p>\n`;
    const notes = review.notes.length > 0
        ? `<ul>\n${review.notes.map((n) => `<li>\u26a0\ufe0f ${(0,_html_js__WEBPACK_IMPORTED_MODULE_0__/* .escapeHtml */ .Z)(n)}</li>`).join('\n')}\n</ul>\n`
        : '';
    let left = budget - Buffer.byteLength(head) - Buffer.byteLength(notes) - 300;
    let table = '';
    if (review.risks.length > 0) {
        const rows = [];
        const all = ordered(review.risks);
        for (const risk of all) {
            const row = riskRow(risk);
            const size = Buffer.byteLength(row);
            if (size > left / 2 && rows.length > 0)
                break;
            rows.push(row);
            left -= size;
        }
        const more = rows.length < all.length
            ? `<p>${(0,_model_js__WEBPACK_IMPORTED_MODULE_1__/* .plural */ .LS)(all.length - rows.length, 'more finding')} in the log of this step.</p>\n`
            : '';
        table = `<table>\n<tr><th>Level</th><th>Rule</th><th>Where</th><th>Statement</th><th>What happens</th><th>Safer way</th></tr>\n${rows.join('')}</table>\n${more}`;
    }
    let changes = '';
    if (review.schemaChanges && review.schemaChanges.length > 0) {
        const lines = [];
        for (const line of review.schemaChanges) {
            const size = Buffer.byteLength(line) + 1;
            if (size > left)
                break;
            lines.push((0,_html_js__WEBPACK_IMPORTED_MODULE_0__/* .escapeHtml */ .Z)(line));
            left -= size;
        }
        const rest = review.schemaChanges.length - lines.length;
        if (rest > 0)
            lines.push(`\u2026 ${(0,_model_js__WEBPACK_IMPORTED_MODULE_1__/* .plural */ .LS)(rest, 'more change')} in the log`);
        changes = `<details open><summary>Schema changes (${(0,_model_js__WEBPACK_IMPORTED_MODULE_1__/* .plural */ .LS)(review.schemaChanges.length, 'change')})</summary>\n<pre>${lines.join('\n')}</pre>\n</details>\n`;
    }
    return `${head}${notes}${table}${changes}`;
}
/** The review as plain lines for the log: everything, nothing cut. */
function renderReviewText(review) {
    const lines = [reviewHeadline(review)];
    for (const risk of ordered(review.risks)) {
        const ack = risk.acknowledged === undefined ? '' : ` [acknowledged: ${risk.acknowledged}]`;
        lines.push(`  ${risk.level} ${risk.rule} ${risk.file}:${risk.line}${ack}: ${cut(risk.statement, STATEMENT_CHARS)}`, `    ${whatHappens(risk)}`);
        if (risk.acknowledged === undefined)
            lines.push(`    Safer: ${risk.saferWay}`);
    }
    for (const note of review.notes)
        lines.push(`  note: ${note}`);
    if (review.schemaChanges?.length) {
        lines.push('Schema changes:');
        for (const change of review.schemaChanges)
            lines.push(`  ${change}`);
    }
    return lines;
}
/** The `risks` output: what a later step can act on. */
function risksOutput(review) {
    return JSON.stringify(ordered(review.risks).map((r) => ({
        rule: r.rule,
        level: r.level,
        file: r.file,
        line: r.line,
        table: r.table ?? null,
        acknowledged: r.acknowledged !== undefined,
    })));
}


/***/ }),

/***/ 8177:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   BR: () => (/* binding */ parseAllowances),
/* harmony export */   b0: () => (/* binding */ acknowledge)
/* harmony export */ });
/* unused harmony export RULE_IDS */
const RULE_IDS = [
    'index-not-concurrent',
    'table-rewrite',
    'validating-scan',
    'breaking-change',
    'concurrently-in-transaction',
    'no-lock-timeout',
    'refresh-not-concurrent',
];
const ALLOW_LINE = /^[ \t]*--[ \t]*migrate:allow(?=[ \t]|$)(.*)$/;
const DOWN_LINE = /^[ \t]*--[ \t]*migrate:down[ \t]*$/;
const EXAMPLE = 'e.g. -- migrate:allow table-rewrite the table has 40 rows';
/**
 * Reads the allow lines of a file's up part (a `-- migrate:down` line ends it).
 *
 * Placement: an allow line applies to the statement that starts on the next line; several allow
 * lines stacked directly above a statement all apply to it. Anything else between them (a blank
 * line, another comment) separates them: such an allow line, and any allow line after the first
 * statement that is not directly above one, is an error, because silently acknowledging nothing
 * would hide the risk it was written for. Allow lines before the first statement (the header)
 * apply to every statement of the file.
 */
function parseAllowances(text, statementLines) {
    const lines = text.split(/\r?\n|\r/);
    const down = lines.findIndex((line) => DOWN_LINE.test(line));
    const upLines = down === -1 ? lines : lines.slice(0, down);
    const isAllow = upLines.map((line) => ALLOW_LINE.test(line));
    const starts = new Set(statementLines);
    const firstStatement = statementLines.length > 0 ? Math.min(...statementLines) : Number.POSITIVE_INFINITY;
    const errors = [];
    const header = [];
    const direct = new Map();
    upLines.forEach((line, index) => {
        const match = ALLOW_LINE.exec(line);
        if (!match)
            return;
        const lineNumber = index + 1;
        const parsed = parseAllowText(match[1] ?? '', lineNumber);
        if ('message' in parsed) {
            errors.push(parsed);
            return;
        }
        if (lineNumber < firstStatement) {
            header.push(parsed);
            return;
        }
        // The first line below the stack of allow lines this one belongs to.
        let below = index + 1;
        while (isAllow[below])
            below++;
        const statementLine = below + 1;
        if (starts.has(statementLine)) {
            direct.set(statementLine, [...(direct.get(statementLine) ?? []), parsed]);
        }
        else {
            errors.push({
                line: lineNumber,
                message: `line ${lineNumber}: -- migrate:allow must be on the line directly above the statement it acknowledges (or in the header, before the first statement).`,
            });
        }
    });
    return {
        statements: statementLines.map((line) => [...header, ...(direct.get(line) ?? [])]),
        errors,
    };
}
function parseAllowText(rest, line) {
    const [rule = '', ...words] = rest.trim().split(/\s+/);
    const reason = words.join(' ');
    if (rule === '') {
        return {
            line,
            message: `line ${line}: -- migrate:allow needs a rule and a reason, ${EXAMPLE}.`,
        };
    }
    if (!RULE_IDS.includes(rule)) {
        return {
            line,
            message: `line ${line}: -- migrate:allow names the unknown rule "${rule}"; the rules are ${RULE_IDS.join(', ')}.`,
        };
    }
    if (reason === '') {
        return {
            line,
            message: `line ${line}: -- migrate:allow ${rule} needs a reason after the rule, ${EXAMPLE}.`,
        };
    }
    return { rule: rule, reason, allowLine: line };
}
/**
 * The risks with `acknowledged` set (to the reason) where an allow line of the risk's file
 * acknowledges its rule for its statement. Returns new objects; the input is left alone.
 */
function acknowledge(risks, files) {
    const reasons = new Map();
    for (const { file, statementLines, parsed } of files) {
        statementLines.forEach((line, i) => {
            for (const ack of parsed.statements[i] ?? []) {
                const key = `${file}\n${line}\n${ack.rule}`;
                if (!reasons.has(key))
                    reasons.set(key, ack.reason);
            }
        });
    }
    return risks.map((risk) => {
        const reason = reasons.get(`${risk.file}\n${risk.line}\n${risk.rule}`);
        return reason === undefined ? { ...risk } : { ...risk, acknowledged: reason };
    });
}


/***/ }),

/***/ 7976:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   eA: () => (/* binding */ lockLimitSentence),
/* harmony export */   eL: () => (/* binding */ observeErrorSentence)
/* harmony export */ });
/* unused harmony exports isLockLimitError, isCatalogPermissionError, catalogPermissionSentence */
// One sentence for the two ways observing a rehearsal fails on its own: a catalog the role may not read, a full lock table. Pure.
function asPgError(error) {
    return typeof error === 'object' && error !== null ? error : {};
}
/**
 * SQLSTATE 53200 with PostgreSQL's hint about max_locks_per_transaction: the shared lock table is
 * full. A rehearsal holds every lock of every pending file until its rollback, so this is a limit
 * of rehearsing many migrations in one transaction, not an error of the migrations.
 */
function isLockLimitError(error) {
    const e = asPgError(error);
    return (e.code === '53200' && /\bmax_locks_per_transaction\b/.test(`${e.hint ?? ''} ${e.message ?? ''}`));
}
/** The sentence for isLockLimitError; `maxLocks` is the server's setting when known. */
function lockLimitSentence(maxLocks) {
    const setting = maxLocks === undefined ? '' : ` (${maxLocks} on this server)`;
    return `The rehearsal ran out of lock slots: the pending migrations, rehearsed together in one transaction, hold more locks than max_locks_per_transaction${setting} allows, so raise that setting on the server or rehearse fewer migrations at once; this is a limit of the rehearsal, not an error in the migrations.`;
}
/** SQLSTATE 42501 on a catalog view or function the review reads (pg_locks, pg_class, pg_stat_*, pg_get_*). */
function isCatalogPermissionError(error) {
    const e = asPgError(error);
    return e.code === '42501' && /\b(pg_|information_schema)/.test(e.message ?? '');
}
/** The sentence for isCatalogPermissionError, naming what PostgreSQL refused. */
function catalogPermissionSentence(error) {
    const denied = asPgError(error).message ?? 'permission denied';
    return `The safety review cannot read the catalog it needs (${denied}): grant the role read access to it, or turn the review off with \`safety: off\`.`;
}
/** The sentence for an error of observing, or undefined when it is neither of the two. */
function observeErrorSentence(error, maxLocks) {
    if (isLockLimitError(error))
        return lockLimitSentence(maxLocks);
    if (isCatalogPermissionError(error))
        return catalogPermissionSentence(error);
    return undefined;
}


/***/ }),

/***/ 8439:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   $Y: () => (/* binding */ lineAtInChunks),
/* harmony export */   DR: () => (/* binding */ lineOfPosition),
/* harmony export */   TT: () => (/* binding */ indexOfPosition),
/* harmony export */   mh: () => (/* binding */ lineAt),
/* harmony export */   rr: () => (/* binding */ LineIndex)
/* harmony export */ });
/* unused harmony export lineColumnOfPosition */
// Every mapping of a position in SQL text to a line: string indices, PostgreSQL's error positions, streamed files. Pure.
/** 1-based line of string index `index` (UTF-16 units) of `text`: the newlines before it, plus one. */
function lineAt(text, index) {
    let line = 1;
    for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1))
        line++;
    return line;
}
/** Line numbers of many string indices of one text, by binary search over the positions of `\n`. */
class LineIndex {
    breaks = [];
    constructor(s) {
        for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1))
            this.breaks.push(i);
    }
    /** 1-based line of the character at string index `index`. */
    lineAt(index) {
        let low = 0;
        let high = this.breaks.length;
        while (low < high) {
            const mid = (low + high) >>> 1;
            if ((this.breaks[mid] ?? 0) < index)
                low = mid + 1;
            else
                high = mid;
        }
        return low + 1;
    }
}
/**
 * Index in `text` (UTF-16 units) of PostgreSQL's 1-based error `position`, which counts
 * characters: a character outside the BMP is one for PostgreSQL and two for JavaScript.
 */
function indexOfPosition(text, position) {
    let index = 0;
    for (let chars = 1; chars < position && index < text.length; chars++) {
        const code = text.charCodeAt(index);
        index += code >= 0xd800 && code <= 0xdbff ? 2 : 1;
    }
    return index;
}
/**
 * 1-based line and column of a 1-based character position as PostgreSQL reports it in an
 * error's `position` field (`ErrorResponse` field `P`), relative to `source`.
 *
 * PostgreSQL counts characters (code points), not bytes and not UTF-16 code units. Lines are
 * separated by `\n` (a CRLF is one line break; the `\r` counts as the last column of its line).
 * Positions past the end give the last character's line; positions below 1 give line 1.
 */
function lineColumnOfPosition(source, position) {
    let line = 1;
    let column = 1;
    if (!(position > 1))
        return { line, column };
    let remaining = Math.floor(position) - 1; // characters before the one at `position`
    let lastLine = 1;
    let lastColumn = 1;
    for (const char of source) {
        if (remaining === 0)
            return { line, column };
        remaining--;
        lastLine = line;
        lastColumn = column;
        if (char === '\n') {
            line++;
            column = 1;
        }
        else {
            column++;
        }
    }
    // Past the end: the last character of the source.
    return { line: lastLine, column: lastColumn };
}
/**
 * 1-based line of a 1-based character position as PostgreSQL reports it in an error's
 * `position` field, relative to `source`. See {@link lineColumnOfPosition}.
 */
function lineOfPosition(source, position) {
    return lineColumnOfPosition(source, position).line;
}
/**
 * The 1-based line at an index into a text that arrives in chunks (a large file read again only
 * when an error needs the line, so the pieces sent need no line bookkeeping).
 */
async function lineAtInChunks(chunks, index) {
    let line = 1;
    let seen = 0;
    for await (const chunk of chunks) {
        const upTo = Math.min(chunk.length, index - seen);
        for (let i = chunk.indexOf('\n'); i !== -1 && i < upTo; i = chunk.indexOf('\n', i + 1))
            line++;
        seen += chunk.length;
        if (seen >= index)
            break;
    }
    return line;
}


/***/ }),

/***/ 9745:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Dl: () => (/* binding */ sqlTokens),
/* harmony export */   Ok: () => (/* binding */ loadSqlParser),
/* harmony export */   Tp: () => (/* binding */ analyzeSql)
/* harmony export */ });
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(6760);
/* harmony import */ var node_url__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(3136);
/* harmony import */ var _lines_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(8439);
// PostgreSQL's own parser (libpg-query), loaded lazily: splits no-transaction files exactly and finds transaction control. No I/O besides loading it.
/**
 * SQL analysis with PostgreSQL's own parser (libpg-query: the real PostgreSQL 18 grammar and
 * lexer compiled to WebAssembly). It splits a `-- migrate:no-transaction` file into the top-level
 * statements it runs one by one, exactly where PostgreSQL (and psql) would, and lists top-level
 * transaction control (`BEGIN`, `COMMIT`, `DISCARD`, ...), which the action forbids because it owns
 * transactions and the session. Transactional files are checked by the streaming splitter instead.
 *
 * The WebAssembly parser is loaded lazily, by the first {@link analyzeSql} call (or
 * {@link loadSqlParser}): importing this module costs nothing.
 *
 * Bundling note (ncc/webpack, ESM output): libpg-query's Emscripten glue finds its
 * `libpg-query.wasm` through the CommonJS free variable `__dirname`, which does not exist in an
 * ES module bundle. While the parser module is being evaluated, this module therefore defines a
 * temporary global `__dirname` pointing at the directory of the running code (`dist/` once
 * bundled), where the build must copy `node_modules/libpg-query/wasm/libpg-query.wasm`. When
 * libpg-query runs unbundled from `node_modules`, its own CommonJS `__dirname` shadows the global
 * and the shim has no effect. The parser's JavaScript is a chunk of its own in `dist/`, so a run
 * that parses nothing does not even compile it.
 */



// ---------------------------------------------------------------------------------------------
// Lazy loading of the WebAssembly parser
let parserPromise;
async function importParser() {
    // V8 would otherwise re-compile the parser's hot WebAssembly with its optimising compiler in
    // the background (600 MB of memory), and the process waits for that work before it can end:
    // seconds after the run is done (measured: 2.3 s against 0.2 s). A large tiering budget only
    // delays it: a few hundred statements parsed (a safety review) still set it off (3.5 s more).
    // Both flags, set before the module compiles, keep the baseline code (--liftoff-only is not
    // honoured at run time, and without dynamic tiering alone V8 tiers up every function): 3,000
    // statements then parse in 0.1 s, and process.exit() ends the process at once.
    process
        .getBuiltinModule('node:v8')
        .setFlagsFromString('--no-wasm-tier-up --no-wasm-dynamic-tiering');
    const globals = globalThis;
    const shim = globals.__dirname === undefined;
    if (shim)
        globals.__dirname = (0,node_path__WEBPACK_IMPORTED_MODULE_0__.dirname)((0,node_url__WEBPACK_IMPORTED_MODULE_1__.fileURLToPath)(import.meta.url));
    let pg;
    try {
        // Evaluating libpg-query starts the WebAssembly instantiation (and reads `__dirname`).
        pg = await __nccwpck_require__.e(/* import() */ 627).then(__nccwpck_require__.t.bind(__nccwpck_require__, 2627, 19));
    }
    finally {
        if (shim)
            delete globals.__dirname;
    }
    await pg.loadModule();
    return pg;
}
function getParser() {
    parserPromise ??= importParser().catch((error) => {
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`PostgreSQL's SQL parser (libpg-query WebAssembly), which splits -- migrate:no-transaction files, could not be loaded (${reason}): run the action from its released dist/ folder, where libpg-query.wasm sits next to index.js.`, { cause: error });
    });
    return parserPromise;
}
/**
 * Loads the WebAssembly parser now (it is otherwise loaded by the first {@link analyzeSql} call),
 * e.g. to overlap it with connecting to the database. Rejects when the parser cannot be loaded.
 */
async function loadSqlParser() {
    await getParser();
}
// ---------------------------------------------------------------------------------------------
// Analysis
const TRANSACTION_KEYWORDS = {
    TRANS_STMT_BEGIN: 'BEGIN',
    TRANS_STMT_START: 'START TRANSACTION',
    TRANS_STMT_COMMIT: 'COMMIT', // or END, read from the source
    TRANS_STMT_ROLLBACK: 'ROLLBACK', // or ABORT, read from the source
    TRANS_STMT_PREPARE: 'PREPARE TRANSACTION',
    TRANS_STMT_COMMIT_PREPARED: 'COMMIT PREPARED',
    TRANS_STMT_ROLLBACK_PREPARED: 'ROLLBACK PREPARED',
    // TRANS_STMT_SAVEPOINT, TRANS_STMT_RELEASE and TRANS_STMT_ROLLBACK_TO are allowed.
};
const COMMENT_TOKENS = new Set(['SQL_COMMENT', 'C_COMMENT']);
/**
 * Splits `source` into top-level statements with PostgreSQL's parser and lists its top-level
 * transaction control statements. A leading byte-order mark is ignored (offsets stay relative to
 * `source`). Rejects only when the parser itself cannot be loaded; SQL that does not parse gives a
 * result with `parseError`.
 */
async function analyzeSql(source) {
    const lines = new _lines_js__WEBPACK_IMPORTED_MODULE_2__/* .LineIndex */ .rr(source);
    const base = source.charCodeAt(0) === 0xfeff ? 1 : 0;
    const sql = base ? source.slice(base) : source;
    // The parser reads a C string: everything after a NUL would silently disappear.
    const nul = sql.indexOf('\0');
    if (nul !== -1) {
        return failed('NUL character (0x00) is not allowed in SQL', lines.lineAt(base + nul));
    }
    if (sql.length === 0)
        return { statements: [], transactionControl: [] };
    const pg = await getParser();
    let tree;
    try {
        tree = pg.parseSync(sql);
    }
    catch (error) {
        if (!(error instanceof pg.SqlError))
            throw error;
        // libpg-query reports PostgreSQL's 1-based character cursor minus one (0 when it has none).
        const position = (error.sqlDetails?.cursorPosition ?? 0) + 1;
        return failed(shortenNearText(error.message), (0,_lines_js__WEBPACK_IMPORTED_MODULE_2__/* .lineOfPosition */ .DR)(sql, position));
    }
    const bytes = new Utf8Offsets(sql);
    const statements = [];
    const transactionControl = [];
    for (const raw of tree.stmts ?? []) {
        const startByte = raw.stmt_location ?? 0;
        // stmt_len 0 (omitted) means "up to the end of the input": the last statement without `;`.
        const endByte = raw.stmt_len ? startByte + raw.stmt_len : bytes.length;
        const rawEnd = bytes.toIndex(endByte);
        const start = skipSpaceAndComments(sql, bytes.toIndex(startByte), rawEnd);
        const end = statementEnd(pg, sql, start, rawEnd);
        if (end <= start)
            continue;
        const text = sql.slice(start, end);
        const offset = base + start;
        const line = lines.lineAt(offset);
        statements.push({ text, offset, line });
        const node = raw.stmt;
        if (node && 'TransactionStmt' in node) {
            const kind = node.TransactionStmt.kind;
            const keyword = kind === undefined ? undefined : TRANSACTION_KEYWORDS[kind];
            if (keyword === 'COMMIT' || keyword === 'ROLLBACK') {
                transactionControl.push({ keyword: firstWord(text) ?? keyword, line });
            }
            else if (keyword !== undefined) {
                transactionControl.push({ keyword, line });
            }
        }
        else if (node && 'DiscardStmt' in node) {
            transactionControl.push({ keyword: 'DISCARD', line });
        }
    }
    return { statements, transactionControl };
}
/**
 * The tokens of `sql` as PostgreSQL's lexer reads them, comments left out: a word inside a string,
 * a dollar quote or a comment is part of that token, never a token of its own. Rejects only when
 * the parser cannot be loaded; text the lexer rejects gives the tokens before the rejection.
 */
async function sqlTokens(sql) {
    const pg = await getParser();
    let tokens;
    try {
        tokens = pg.scanSync(sql).tokens;
    }
    catch {
        return [];
    }
    const bytes = new Utf8Offsets(sql);
    return tokens
        .filter((token) => !COMMENT_TOKENS.has(token.tokenName))
        .map((token) => {
        const index = bytes.toIndex(token.start);
        return { text: sql.slice(index, bytes.toIndex(token.end)), index };
    });
}
function failed(message, line) {
    return { statements: [], transactionControl: [], parseError: { message, line } };
}
/**
 * PostgreSQL quotes the offending token in `... at or near "<token>"`; for an unterminated string,
 * dollar quote or comment that token is the whole rest of the file. Keep its first line, at most
 * 40 characters of it.
 */
function shortenNearText(message) {
    const match = /^([\s\S]*? at or near ")([\s\S]*)"$/.exec(message);
    if (!match)
        return message;
    const [, head = '', near = ''] = match;
    const firstLine = near.split(/\r?\n|\r/, 1)[0] ?? '';
    const chars = [...firstLine];
    if (firstLine === near && chars.length <= 40)
        return message;
    return `${head}${chars.slice(0, 40).join('')}\u2026"`;
}
/**
 * End index of a statement's last token, given where its `;` (or the input) ends it: drops the
 * whitespace and comments that PostgreSQL counts as part of the statement.
 */
function statementEnd(pg, sql, start, rawEnd) {
    const end = trimEndIndex(sql, start, rawEnd);
    // A trailing comment either ends the text (`*/`) or opens on its last line (`--`).
    if (!sql.endsWith('*/', end) && !lastLineHasDashes(sql, start, end))
        return end;
    const text = sql.slice(start, end);
    // Only the lexer knows whether `--` or `/*` opens a comment or sits in a string: scan this
    // statement alone (it starts at a token, so the lexer state there is the initial one).
    let tokens;
    try {
        tokens = pg.scanSync(text).tokens;
    }
    catch {
        return end;
    }
    const last = tokens.findLast((token) => !COMMENT_TOKENS.has(token.tokenName));
    return last ? start + new Utf8Offsets(text).toIndex(last.end) : end;
}
/** Whether the last line of `s.slice(start, end)` contains `--`. */
function lastLineHasDashes(s, start, end) {
    for (let i = end - 1; i > start; i--) {
        const c = s.charCodeAt(i);
        if (c === 0x0a || c === 0x0d)
            return false;
        if (c === 0x2d && s.charCodeAt(i - 1) === 0x2d)
            return true;
    }
    return false;
}
function firstWord(text) {
    return /^[A-Za-z_]+/.exec(text)?.[0].toUpperCase();
}
/** PostgreSQL's whitespace: space, \t, \n, \v, \f, \r (and nothing else: U+00A0 is no space). */
function isSqlSpace(code) {
    return code === 32 || (code >= 9 && code <= 13);
}
/**
 * Index of the first character at or after `index` (and before `limit`) that is neither
 * whitespace nor part of a `--` or (nested) `/* *\/` comment.
 */
function skipSpaceAndComments(s, index, limit) {
    let i = index;
    while (i < limit) {
        const c = s.charCodeAt(i);
        if (isSqlSpace(c)) {
            i++;
        }
        else if (c === 0x2d && s.charCodeAt(i + 1) === 0x2d) {
            // -- comment, up to the end of the line
            i += 2;
            while (i < limit && s[i] !== '\n' && s[i] !== '\r')
                i++;
        }
        else if (c === 0x2f && s.charCodeAt(i + 1) === 0x2a) {
            // /* comment */, which nests in PostgreSQL
            let depth = 1;
            i += 2;
            while (i < limit && depth > 0) {
                if (s[i] === '/' && s[i + 1] === '*') {
                    depth++;
                    i += 2;
                }
                else if (s[i] === '*' && s[i + 1] === '/') {
                    depth--;
                    i += 2;
                }
                else {
                    i++;
                }
            }
        }
        else {
            break;
        }
    }
    return Math.min(i, limit);
}
function trimEndIndex(s, start, end) {
    let i = end;
    while (i > start && isSqlSpace(s.charCodeAt(i - 1)))
        i--;
    return i;
}
/** Converts byte offsets in the UTF-8 encoding of a string to JS string (UTF-16) indices. */
class Utf8Offsets {
    /** Byte length of the UTF-8 encoding. */
    length;
    /** byte offset -> string index; undefined when the string is ASCII (both are the same). */
    map;
    constructor(s) {
        // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range is meant
        if (/^[\x00-\x7f]*$/.test(s)) {
            this.length = s.length;
            this.map = undefined;
            return;
        }
        this.length = Buffer.byteLength(s, 'utf8');
        const map = new Uint32Array(this.length + 1);
        let byte = 0;
        for (let i = 0; i < s.length; i++) {
            const c = s.charCodeAt(i);
            let size;
            let units = 1;
            if (c < 0x80)
                size = 1;
            else if (c < 0x800)
                size = 2;
            else if (c >= 0xd800 && c <= 0xdbff && isLowSurrogate(s.charCodeAt(i + 1))) {
                size = 4;
                units = 2;
            }
            else
                size = 3; // other BMP characters; a lone surrogate becomes 3 bytes (U+FFFD)
            map.fill(i, byte, byte + size);
            byte += size;
            i += units - 1;
        }
        map[this.length] = s.length;
        this.map = map;
    }
    toIndex(byteOffset) {
        const offset = Math.max(0, Math.min(byteOffset, this.length));
        return this.map ? (this.map[offset] ?? 0) : offset;
    }
}
function isLowSurrogate(code) {
    return code >= 0xdc00 && code <= 0xdfff;
}


/***/ }),

/***/ 773:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   V: () => (/* binding */ StatementSplitter),
/* harmony export */   b: () => (/* binding */ splitSql)
/* harmony export */ });
/* harmony import */ var _statement_kinds_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7071);
// The streaming scanner that splits SQL text into top-level statements as PostgreSQL would: the hot path, holds no input. No I/O.
/**
 * A streaming splitter of SQL text into top-level statements, for migration files too large to
 * hand to the WebAssembly parser (see `sql.ts`): a 50 MB data migration becomes hundreds of MB of
 * JSON syntax tree there. This one is a hand-written state machine over UTF-16 code units that
 * keeps no input: only the state of the token in progress (a dollar-quote tag, the first characters
 * of a word) and the first keywords of the current statement.
 *
 * It finds statement boundaries as PostgreSQL's scanner (src/backend/parser/scan.l, with
 * `standard_conforming_strings = on`) and grammar would:
 *
 * - `'...'` with `''`, and likewise `B'...'`, `X'...'`, `N'...'` and `U&'...'` (none of which
 *   knows backslash escapes); `E'...'` with `''` and backslash escapes (`\'`, `\\`, ...), which
 *   only start where the `E` starts a token (`somee'x'` is the identifier `somee` and a string);
 * - string continuation: a string followed by whitespace holding a newline, and maybe `--`
 *   comments, and another `'` is one string, in the escaping of the first part (this matters for
 *   `E'...'`: the continuation still takes `\'`). The server accepts `--` comments in that gap;
 *   libpg-query does not (it reports a syntax error there);
 * - `"..."` with `""` (and `U&"..."`);
 * - `$tag$...$tag$` where the tag is empty or a letter, `_` or non-ASCII character followed by
 *   those or digits; only where `$` starts a token (`a$$b` is an identifier, `$1` a parameter);
 * - nested `/* ... *\/` comments and `--` comments up to `\n` or `\r`; `--` and `/*` start a
 *   comment anywhere outside a literal, even inside an operator (`+--x`);
 * - `;` ends a statement only outside parentheses: the server's grammar takes `;` inside
 *   parentheses only in a `CREATE RULE ... DO (a; b)` action list and rejects it anywhere else, and
 *   psql does not split there either;
 * - `BEGIN ATOMIC ... END` bodies of `CREATE [OR REPLACE] FUNCTION|PROCEDURE` (PostgreSQL 14+):
 *   their `;` end statements of the body, not the top-level statement.
 *
 * On the body: psql (src/fe_utils/psqlscan.l) counts every `BEGIN` and, inside one, every `CASE`
 * (+1) and `END` (-1) word of such a statement. The server's grammar is more exact, and this
 * follows the grammar: the body starts at the two tokens `BEGIN ATOMIC` (at parenthesis depth 0
 * of a statement that starts `CREATE [OR REPLACE] FUNCTION|PROCEDURE`), holds statements each
 * ended by `;`, and ends at the `END` that directly follows such a `;` or the opening `ATOMIC`
 * (a body statement cannot start with `END`: `BEGIN`/`END` transaction statements are not allowed
 * there). So `CASE ... END`, `select 1 as end`, `t.end` and a function named `begin` need no
 * counting. psql's counter gets the last three wrong; for `create function begin() ... return 1;
 * commit; ...` it would even take the `COMMIT` into the function's statement.
 *
 * Positions are JS string indices (UTF-16 code units) over the whole input; lines count `\n` (a
 * `\r\n` is one line break, as in `sql.ts`). A leading byte-order mark is skipped. Anything that
 * is neither whitespace nor comment starts a statement (the server would reject a stray token,
 * the splitter only finds where it starts); `;;` and a `;` with only comments before it make no
 * statement.
 */

/** Splits a whole string (see {@link StatementSplitter}). */
function splitSql(sql) {
    const splitter = new StatementSplitter();
    const statements = splitter.push(sql);
    for (const statement of splitter.end())
        statements.push(statement);
    return statements;
}
// ---------------------------------------------------------------------------------------------
// Character classes (code units >= 0x80 are identifier characters, as UTF-8 bytes >= 0x80 are)
// 0: any other character (operators, punctuation)
const C_SPACE = 1;
const C_NEWLINE = 2;
const C_IDENT = 3;
const C_DIGIT = 4;
const C_QUOTE = 5;
const C_DQUOTE = 6;
const C_DOLLAR = 7;
const C_DASH = 8;
const C_SLASH = 9;
const C_SEMI = 10;
const C_LPAREN = 11;
const C_RPAREN = 12;
const C_BACKSLASH = 13;
/**
 * Flags: identifier continuation ([A-Za-z0-9_$]), dollar-quote tag character ([A-Za-z0-9_]),
 * identifier start ([A-Za-z_]), number continuation ([0-9._]), digit.
 */
const F_IDENT = 1;
const F_TAG = 2;
const F_START = 4;
const F_NUM = 8;
const F_DIGIT = 16;
const CLASS = new Uint8Array(128);
const FLAGS = new Uint8Array(128);
for (const c of [0x20, 0x09, 0x0b, 0x0c])
    CLASS[c] = C_SPACE;
CLASS[0x0a] = C_NEWLINE;
CLASS[0x0d] = C_NEWLINE;
for (let c = 0x30; c <= 0x39; c++) {
    CLASS[c] = C_DIGIT;
    FLAGS[c] = F_IDENT | F_TAG | F_NUM | F_DIGIT;
}
for (let c = 0x41; c <= 0x5a; c++) {
    for (const k of [c, c + 0x20]) {
        CLASS[k] = C_IDENT;
        FLAGS[k] = F_IDENT | F_TAG | F_START;
    }
}
CLASS[0x5f] = C_IDENT; // _
FLAGS[0x5f] = F_IDENT | F_TAG | F_START | F_NUM;
FLAGS[0x24] = F_IDENT; // $ continues an identifier
FLAGS[0x2e] = F_NUM; // .
CLASS[0x27] = C_QUOTE;
CLASS[0x22] = C_DQUOTE;
CLASS[0x24] = C_DOLLAR;
CLASS[0x2d] = C_DASH;
CLASS[0x2f] = C_SLASH;
CLASS[0x3b] = C_SEMI;
CLASS[0x28] = C_LPAREN;
CLASS[0x29] = C_RPAREN;
CLASS[0x5c] = C_BACKSLASH;
// ---------------------------------------------------------------------------------------------
// Scanner states
const NORMAL = 0; // between tokens, or in operator characters
const WORD = 1; // identifier or keyword
const NUMBER = 2; // digits, '.', '_'
const JUNK = 3; // identifier characters after a number or parameter (the server rejects them)
const PARAM = 4; // $1
const DASH = 5; // '-': operator or the start of '--'
const SLASH = 6; // '/': operator or the start of '/*'
const LINE_COMMENT = 7;
const BLOCK = 8; // inside /* */
const BLOCK_STAR = 9; // inside /* */ after '*'
const BLOCK_SLASH = 10; // inside /* */ after '/'
const SQ = 11; // '...'
const SQ_END = 12; // after the ' that ends '...' unless another ' follows
const EQ = 13; // E'...'
const EQ_ESC = 14; // E'...' after a backslash
const EQ_END = 15; // after the ' that ends E'...' unless another ' follows
const DQ = 16; // "..."
const DQ_END = 17; // after the " that ends "..." unless another " follows
const DOLLAR = 18; // after a '$' that starts a token
const DOLLAR_TAG = 19; // after '$' and tag characters
const DOLQ = 20; // inside $tag$...$tag$
/** Token kinds, as far as statement classification needs them. */
const K_WORD = 0;
const K_STRING = 1;
const K_LPAREN = 2;
const K_OTHER = 3;
/**
 * String methods called as known functions: `chunk.charCodeAt(i)` looks the method
 * up on the string, and that lookup turns slow (megamorphic) once strings of many internal kinds
 * (flat, sliced, concatenated, one- or two-byte) have been seen at the same place.
 */
const charCodeAt = String.prototype.charCodeAt;
const indexOf = String.prototype.indexOf;
const slice = String.prototype.slice;
/** Placeholder for the output list between calls (nothing is ever added to it). */
const NONE = [];
/** Longest word kept for classification; longer words cannot be keywords. */
const MAX_WORD = 64;
/**
 * Incremental splitter: feed the text in chunks, in order, split anywhere (inside a token, a
 * `\r\n` or a surrogate pair); it returns the top-level statements each chunk completes. It keeps
 * none of the text, so memory stays constant however large the input.
 */
class StatementSplitter {
    /** Index of the next chunk's first character over the whole input. */
    total = 0;
    state = NORMAL;
    finished = false;
    sawInput = false;
    // The chunk being pushed (only during push()).
    chunk = '';
    base = 0;
    out = NONE;
    // Line counting: `lines` is the line at index `linePos`.
    lines = 1;
    linePos = 0;
    /** Index in the chunk of the first '\n' at or after `linePos`, -1 if none, -2 if not known. */
    nextNewline = -2;
    // The current top-level statement.
    started = false;
    stmtStart = 0;
    stmtLine = 1;
    parenDepth = 0;
    /** First tokens: words upper-cased, or a marker: "'" string, '(' parenthesis, ' ' other. */
    topCount = 0;
    /** More of the first tokens are needed for the keyword. */
    wantTop = true;
    top0 = '';
    top1 = '';
    top2 = '';
    /**
     * Header of the statement at the current body level: 0 expects CREATE, 1 after CREATE, 2 after
     * CREATE OR, 3 after CREATE OR REPLACE, 4 inside a CREATE [OR REPLACE] FUNCTION|PROCEDURE, -1
     * something else.
     */
    hdr = 0;
    /** The previous token was the word BEGIN, at parenthesis depth 0 of a routine header. */
    prevBegin = false;
    /** Depth of BEGIN ATOMIC bodies. */
    bodyDepth = 0;
    /** Inside a body, right after BEGIN ATOMIC or a `;`: an END here closes the body. */
    bodyStmtStart = false;
    /** After an E'' string: 1, and 2 once a newline followed (a ' then continues the string). */
    eContinue = 0;
    // The token in progress.
    pendStart = 0; // index of a pending '-' or '/'
    pendLine = 1; // its line, when it may start the statement
    wordStart = 0;
    wordFirst = 0;
    wordNeeded = false;
    /** Text of a word or dollar-quote tag from earlier chunks (a word's only when needed). */
    carry = '';
    dollarStart = 0;
    tag = '';
    /** Characters of `$tag$` matched inside a dollar quote. */
    tagMatched = 0;
    commentDepth = 0;
    /** Start of the open string, identifier, dollar quote or comment, and its line once known. */
    openStart = 0;
    openLine = 1;
    /** Upper-case spellings of words seen (bounded). */
    words = new Map();
    /** Set by end() when the input ends inside a string, quoted identifier or comment. */
    unterminated;
    /** The first backslash outside a literal or comment: a psql meta-command, not SQL. */
    metaCommand;
    /**
     * In a `COPY` statement: 1 looks for `FROM` at parenthesis depth 0, 2 saw it, 3 saw `FROM
     * STDIN` (the keyword becomes `COPY FROM STDIN`: psql sends the lines after it as data).
     */
    copy = 0;
    /** Feeds the next chunk of text; returns the statements it completes, in order. */
    push(chunk) {
        if (this.finished)
            throw new Error('StatementSplitter: push() after end()');
        const out = [];
        const len = chunk.length;
        if (len === 0)
            return out;
        this.out = out;
        this.chunk = chunk;
        this.base = this.total;
        this.nextNewline = -2;
        let i = 0;
        if (!this.sawInput) {
            this.sawInput = true;
            if (charCodeAt.call(chunk, 0) === 0xfeff)
                i = 1;
        }
        // Each state's method consumes what it can and returns where it stopped, having set `state`
        // when it reached another one. Small methods keep the optimizing compiler quick and effective.
        while (i < len) {
            switch (this.state) {
                case NORMAL:
                    i = this.normal(chunk, i, len);
                    break;
                case WORD:
                    i = this.word(chunk, i, len);
                    break;
                case NUMBER:
                case PARAM:
                case JUNK:
                    i = this.number(chunk, i, len);
                    break;
                case DASH:
                case SLASH:
                    i = this.pending(chunk, i);
                    break;
                case LINE_COMMENT:
                case BLOCK:
                case BLOCK_STAR:
                case BLOCK_SLASH:
                    i = this.comment(chunk, i, len);
                    break;
                case SQ:
                case SQ_END:
                case DQ:
                case DQ_END:
                    i = this.quoted(chunk, i, len);
                    break;
                case EQ:
                case EQ_ESC:
                case EQ_END:
                    i = this.escaped(chunk, i, len);
                    break;
                case DOLLAR:
                case DOLLAR_TAG:
                    i = this.dollar(chunk, i, len);
                    break;
                default:
                    i = this.dollarQuoted(chunk, i, len);
            }
        }
        this.endChunk(this.state, len);
        return out;
    }
    /** Between tokens: whitespace, operators, punctuation; starts the other tokens. */
    normal(chunk, start, len) {
        let i = start;
        while (i < len) {
            const c = charCodeAt.call(chunk, i);
            const cls = c < 128 ? CLASS[c] : C_IDENT;
            if (cls === C_SPACE) {
                i++;
                continue;
            }
            if (cls === C_NEWLINE) {
                if (this.eContinue === 1)
                    this.eContinue = 2;
                i++;
                continue;
            }
            if (cls === C_SEMI) {
                this.eContinue = 0;
                this.semicolon(i);
                i++;
                continue;
            }
            if (cls === C_DASH || cls === C_SLASH) {
                // an operator, or the start of a comment: the next character tells
                this.pendStart = this.base + i;
                if (!this.started)
                    this.pendLine = this.lineAt(i);
                this.state = cls === C_DASH ? DASH : SLASH;
                return i + 1;
            }
            if (cls === C_QUOTE && this.eContinue === 2) {
                // E'...' <newline> '...': the same string, still with backslash escapes
                this.eContinue = 0;
                this.state = EQ;
                return i + 1;
            }
            // Any other character starts a token.
            if (!this.started)
                this.startAt(i);
            this.eContinue = 0;
            switch (cls) {
                case C_IDENT:
                    this.wordStart = this.base + i;
                    this.wordFirst = c;
                    this.wordNeeded = this.tracking();
                    this.carry = '';
                    this.state = WORD;
                    return i + 1;
                case C_DIGIT:
                    this.token(K_OTHER, '');
                    this.state = NUMBER;
                    return i + 1;
                case C_QUOTE:
                    this.token(K_STRING, '');
                    this.openStart = this.base + i;
                    this.state = SQ;
                    return i + 1;
                case C_DQUOTE:
                    this.token(K_OTHER, '');
                    this.openStart = this.base + i;
                    this.state = DQ;
                    return i + 1;
                case C_DOLLAR:
                    this.dollarStart = this.base + i;
                    this.state = DOLLAR;
                    return i + 1;
                case C_LPAREN:
                    this.token(K_LPAREN, '');
                    this.parenDepth++;
                    break;
                case C_RPAREN:
                    if (this.parenDepth > 0)
                        this.parenDepth--;
                    this.token(K_OTHER, '');
                    break;
                case C_BACKSLASH:
                    // No SQL token holds a backslash outside a literal: this is psql's (`\i`, `\set`, the
                    // `\.` after COPY data), and the server would reject it.
                    this.metaCommand ??= { start: this.base + i, line: this.lineAt(i) };
                    this.token(K_OTHER, '');
                    break;
                default:
                    this.token(K_OTHER, '');
            }
            i++;
        }
        return i;
    }
    /** Identifier or keyword; E'', B'', X'', N'' when the word is that one letter and ' follows. */
    word(chunk, start, len) {
        let i = start;
        while (i < len) {
            const c = charCodeAt.call(chunk, i);
            if (c >= 128 || (FLAGS[c] & F_IDENT) !== 0)
                i++;
            else
                break;
        }
        if (i === len)
            return i;
        if (charCodeAt.call(chunk, i) === 0x27 && this.base + i - this.wordStart === 1) {
            const first = this.wordFirst | 0x20;
            if (first === 0x65) {
                this.token(K_STRING, '');
                this.openStart = this.wordStart;
                this.state = EQ;
                return i + 1;
            }
            if (first === 0x62 || first === 0x78 || first === 0x6e) {
                this.token(K_STRING, '');
                this.openStart = this.wordStart;
                this.state = SQ;
                return i + 1;
            }
        }
        this.token(K_WORD, this.wordNeeded ? this.wordText(i) : '');
        this.state = NORMAL;
        return i;
    }
    /**
     * Number (digits, '.', '_'), parameter ($ and digits), then any identifier characters run on
     * (0x1F, 1e5, and junk such as 1abc that the server rejects).
     */
    number(chunk, start, len) {
        let i = start;
        let state = this.state;
        if (state !== JUNK) {
            const mask = state === NUMBER ? F_NUM : F_DIGIT;
            while (i < len) {
                const c = charCodeAt.call(chunk, i);
                if (c < 128 && (FLAGS[c] & mask) !== 0)
                    i++;
                else
                    break;
            }
            if (i === len)
                return i;
            const c = charCodeAt.call(chunk, i);
            if (c < 128 && (FLAGS[c] & F_START) === 0) {
                this.state = NORMAL;
                return i;
            }
            state = JUNK;
            this.state = JUNK;
            i++;
        }
        while (i < len) {
            const c = charCodeAt.call(chunk, i);
            if (c >= 128 || (FLAGS[c] & F_IDENT) !== 0)
                i++;
            else
                break;
        }
        if (i < len)
            this.state = NORMAL;
        return i;
    }
    /** After '-' or '/': a comment starts, or it was an operator. */
    pending(chunk, i) {
        const c = charCodeAt.call(chunk, i);
        if (this.state === DASH) {
            if (c === 0x2d) {
                // -- comment (keeps an E'' string open for continuation)
                this.state = LINE_COMMENT;
                return i + 1;
            }
        }
        else if (c === 0x2a) {
            this.eContinue = 0;
            this.commentDepth = 1;
            this.openStart = this.pendStart;
            this.state = BLOCK;
            return i + 1;
        }
        this.operatorAfterPending();
        this.state = NORMAL;
        return i;
    }
    /** -- comments and nested block comments. */
    comment(chunk, start, len) {
        let i = start;
        let state = this.state;
        if (state === LINE_COMMENT) {
            while (i < len) {
                const c = charCodeAt.call(chunk, i);
                if (c === 0x0a || c === 0x0d) {
                    this.state = NORMAL; // the newline itself is whitespace
                    return i;
                }
                i++;
            }
            return i;
        }
        let depth = this.commentDepth;
        while (i < len) {
            const c = charCodeAt.call(chunk, i);
            i++;
            if (state === BLOCK) {
                if (c === 0x2a)
                    state = BLOCK_STAR;
                else if (c === 0x2f)
                    state = BLOCK_SLASH;
            }
            else if (state === BLOCK_STAR) {
                if (c === 0x2f) {
                    if (--depth === 0) {
                        state = NORMAL;
                        break;
                    }
                    state = BLOCK;
                }
                else if (c !== 0x2a) {
                    state = BLOCK;
                }
            }
            else if (c === 0x2a) {
                depth++; // '/' then '*': a nested comment
                state = BLOCK;
            }
            else if (c !== 0x2f) {
                state = BLOCK;
            }
        }
        this.commentDepth = depth;
        this.state = state;
        return i;
    }
    /** '...' (also B'', X'', N'', U&'') with '' inside, and "..." with "" inside. */
    quoted(chunk, i, len) {
        const state = this.state;
        const single = state === SQ || state === SQ_END;
        const quote = single ? 0x27 : 0x22;
        if (state === SQ_END || state === DQ_END) {
            if (charCodeAt.call(chunk, i) !== quote) {
                this.state = NORMAL;
                return i;
            }
            i++; // doubled quote
        }
        const j = indexOf.call(chunk, single ? "'" : '"', i);
        if (j === -1) {
            this.state = single ? SQ : DQ;
            return len;
        }
        this.state = single ? SQ_END : DQ_END;
        return j + 1;
    }
    /** E'...': backslash escapes and ''. */
    escaped(chunk, start, len) {
        let i = start;
        let state = this.state;
        if (state === EQ_END) {
            if (charCodeAt.call(chunk, i) !== 0x27) {
                this.eContinue = 1;
                this.state = NORMAL;
                return i;
            }
            state = EQ; // doubled quote
            i++;
        }
        else if (state === EQ_ESC) {
            state = EQ; // any character after a backslash
            i++;
        }
        while (i < len) {
            const c = charCodeAt.call(chunk, i);
            i++;
            if (c === 0x27) {
                state = EQ_END;
                break;
            }
            if (c === 0x5c) {
                if (i === len) {
                    state = EQ_ESC;
                    break;
                }
                i++;
            }
        }
        this.state = state;
        return i;
    }
    /** After a '$' that starts a token: $tag$ opens a dollar quote, $1 is a parameter. */
    dollar(chunk, start, len) {
        let i = start;
        if (this.state === DOLLAR) {
            const c = charCodeAt.call(chunk, i);
            if (c === 0x24) {
                this.openDollarQuote('');
                return i + 1;
            }
            if (c >= 0x30 && c <= 0x39) {
                this.token(K_OTHER, ''); // $1
                this.state = PARAM;
                return i + 1;
            }
            if (c < 128 && (FLAGS[c] & F_START) === 0) {
                this.token(K_OTHER, ''); // a lone $
                this.state = NORMAL;
                return i;
            }
            this.wordStart = this.base + i;
            this.wordFirst = c;
            this.carry = '';
            this.state = DOLLAR_TAG;
            i++;
        }
        while (i < len) {
            const c = charCodeAt.call(chunk, i);
            if (c >= 128 || (FLAGS[c] & F_TAG) !== 0)
                i++;
            else
                break;
        }
        if (i === len)
            return i;
        if (charCodeAt.call(chunk, i) === 0x24) {
            this.openDollarQuote(this.carry + chunk.slice(Math.max(0, this.wordStart - this.base), i));
            this.carry = '';
            return i + 1;
        }
        // No closing $: the server takes the $ alone, then the tag as an identifier, which ends here
        // too (this character is neither a tag character nor $).
        this.token(K_OTHER, '');
        this.wordNeeded = this.tracking();
        this.state = WORD;
        return i;
    }
    /** Inside $tag$...$tag$: looks for the closing $tag$. */
    dollarQuoted(chunk, start, len) {
        let i = start;
        const tag = this.tag;
        const tagLength = tag.length;
        let matched = this.tagMatched;
        while (i < len) {
            if (matched === 0) {
                const j = indexOf.call(chunk, '$', i);
                if (j === -1) {
                    i = len;
                    break;
                }
                i = j + 1;
                matched = 1;
                continue;
            }
            const c = charCodeAt.call(chunk, i);
            i++;
            if (matched <= tagLength) {
                if (c === charCodeAt.call(tag, matched - 1))
                    matched++;
                else
                    matched = c === 0x24 ? 1 : 0;
            }
            else if (c === 0x24) {
                matched = 0;
                this.state = NORMAL;
                break;
            }
            else {
                matched = 0;
            }
        }
        this.tagMatched = matched;
        return i;
    }
    /** Bookkeeping at the end of a chunk (kept out of the scanning loop, which it would slow). */
    endChunk(state, len) {
        const chunk = this.chunk;
        const base = this.base;
        // The token in progress continues in the next chunk: keep what it needs.
        if (state === WORD && this.wordNeeded && this.carry.length <= MAX_WORD) {
            const from = Math.max(0, this.wordStart - base);
            this.carry += chunk.slice(from, from + MAX_WORD + 1 - this.carry.length);
        }
        else if (state === DOLLAR_TAG) {
            this.carry += chunk.slice(Math.max(0, this.wordStart - base));
        }
        // Where an open (or possibly opening) literal or comment starts, for `unterminated`.
        const open = this.openingAt(state);
        if (open >= base)
            this.openLine = this.lineAt(open - base);
        this.lineAt(len);
        this.total = base + len;
        this.state = state;
        this.chunk = '';
        this.out = NONE;
    }
    /** End of input: returns the last statement, when one is left without `;`. */
    end() {
        if (this.finished)
            return [];
        this.finished = true;
        const out = [];
        this.out = out;
        switch (this.state) {
            case WORD:
                this.token(K_WORD, this.wordNeeded ? upperAscii(this.carry.slice(0, MAX_WORD)) : '');
                break;
            case DASH:
            case SLASH:
                this.operatorAfterPending();
                break;
            case DOLLAR:
                this.token(K_OTHER, '');
                break;
            case DOLLAR_TAG:
                this.token(K_OTHER, '');
                this.token(K_WORD, this.tracking() ? upperAscii(this.carry.slice(0, MAX_WORD)) : '');
                break;
            case SQ:
            case EQ:
            case EQ_ESC:
                this.unterminated = { kind: 'quoted string', start: this.openStart, line: this.openLine };
                break;
            case DQ:
                this.unterminated = {
                    kind: 'quoted identifier',
                    start: this.openStart,
                    line: this.openLine,
                };
                break;
            case DOLQ:
                this.unterminated = {
                    kind: 'dollar-quoted string',
                    start: this.openStart,
                    line: this.openLine,
                };
                break;
            case BLOCK:
            case BLOCK_STAR:
            case BLOCK_SLASH:
                this.unterminated = { kind: '/* comment', start: this.openStart, line: this.openLine };
                break;
        }
        this.state = NORMAL;
        if (this.started)
            this.emit(this.total);
        this.out = NONE;
        return out;
    }
    // -------------------------------------------------------------------------------------------
    /** 1-based line of index `index` of the current chunk (never before the last one asked). */
    lineAt(index) {
        const chunk = this.chunk;
        let lines = this.lines;
        let j = this.nextNewline;
        if (j === -2)
            j = indexOf.call(chunk, '\n', this.linePos - this.base);
        while (j !== -1 && j < index) {
            lines++;
            j = indexOf.call(chunk, '\n', j + 1);
        }
        this.nextNewline = j;
        this.lines = lines;
        this.linePos = this.base + index;
        return lines;
    }
    /**
     * Start of the literal or comment open in `state`, or of the token that may open one (`E` of
     * E'', `$` of $tag$, `/` of /*); -1 for other states.
     */
    openingAt(state) {
        switch (state) {
            case WORD:
                return this.wordStart;
            case DOLLAR:
            case DOLLAR_TAG:
                return this.dollarStart;
            case SLASH:
                return this.pendStart;
            case BLOCK:
            case BLOCK_STAR:
            case BLOCK_SLASH:
            case SQ:
            case EQ:
            case EQ_ESC:
            case DQ:
            case DOLQ:
                return this.openStart;
            default:
                return -1;
        }
    }
    startAt(index) {
        this.started = true;
        this.stmtStart = this.base + index;
        this.stmtLine = this.lineAt(index);
    }
    /** A pending '-' or '/' turned out to be (part of) an operator. */
    operatorAfterPending() {
        if (!this.started) {
            this.started = true;
            this.stmtStart = this.pendStart;
            this.stmtLine = this.pendLine;
        }
        this.eContinue = 0;
        this.token(K_OTHER, '');
    }
    openDollarQuote(tag) {
        this.token(K_STRING, '');
        this.tag = tag;
        this.tagMatched = 0;
        this.openStart = this.dollarStart;
        this.state = DOLQ;
    }
    /** Whether the next word's text is needed to classify the statement or find a body. */
    tracking() {
        return (this.wantTop || this.hdr >= 0 || this.bodyStmtStart || this.copy === 1 || this.copy === 2);
    }
    /** Text of the word ending at `index` of the current chunk, upper-cased, at most MAX_WORD long. */
    wordText(index) {
        const from = Math.max(0, this.wordStart - this.base);
        const carry = this.carry;
        if (carry.length === 0 && index - from <= MAX_WORD) {
            // the common case: a short word within the chunk; its upper-case spelling is remembered
            const raw = slice.call(this.chunk, from, index);
            let upper = this.words.get(raw);
            if (upper === undefined) {
                upper = upperAscii(raw);
                if (this.words.size < 1024)
                    this.words.set(raw, upper);
            }
            return upper;
        }
        const room = MAX_WORD - carry.length;
        return upperAscii(room > 0
            ? carry + this.chunk.slice(from, Math.min(index, from + room))
            : carry.slice(0, MAX_WORD));
    }
    /** Classifies the next token of the current statement. */
    token(kind, word) {
        if (!this.tracking())
            return;
        if (this.wantTop) {
            const mark = kind === K_WORD ? word : kind === K_STRING ? "'" : kind === K_LPAREN ? '(' : ' ';
            const count = ++this.topCount;
            if (count === 1) {
                this.top0 = mark;
                this.wantTop = _statement_kinds_js__WEBPACK_IMPORTED_MODULE_0__/* .NEEDS_MORE */ .u3.has(mark);
                if (mark === 'COPY')
                    this.copy = 1;
            }
            else if (count === 2) {
                this.top1 = mark;
            }
            else {
                this.top2 = mark;
                this.wantTop = false;
            }
        }
        if (this.copy === 1 || this.copy === 2) {
            if (this.parenDepth === 0 && kind === K_WORD) {
                if (this.copy === 2 && word === 'STDIN')
                    this.copy = 3;
                else
                    this.copy = word === 'FROM' ? 2 : 1;
            }
            else if (this.parenDepth === 0) {
                this.copy = 1;
            }
        }
        if (this.bodyStmtStart) {
            this.bodyStmtStart = false;
            if (kind === K_WORD && word === 'END' && this.parenDepth === 0) {
                // END right after `;` or BEGIN ATOMIC closes the body
                this.bodyDepth--;
                this.hdr = -1;
                this.prevBegin = false;
                return;
            }
        }
        const hdr = this.hdr;
        if (hdr < 0)
            return;
        if (hdr < 4) {
            if (kind !== K_WORD)
                this.hdr = -1;
            else if (hdr === 0)
                this.hdr = word === 'CREATE' ? 1 : -1;
            else if (hdr === 1)
                this.hdr = word === 'OR' ? 2 : isRoutine(word) ? 4 : -1;
            else if (hdr === 2)
                this.hdr = word === 'REPLACE' ? 3 : -1;
            else
                this.hdr = isRoutine(word) ? 4 : -1;
            return;
        }
        if (kind === K_WORD && this.parenDepth === 0) {
            if (this.prevBegin && word === 'ATOMIC') {
                this.bodyDepth++;
                this.hdr = 0;
                this.prevBegin = false;
                this.bodyStmtStart = true;
                return;
            }
            this.prevBegin = word === 'BEGIN';
        }
        else {
            this.prevBegin = false;
        }
    }
    semicolon(index) {
        if (this.parenDepth > 0) {
            // CREATE RULE ... DO (a; b); anywhere else the server rejects it
            this.token(K_OTHER, '');
            return;
        }
        if (this.bodyDepth > 0) {
            this.bodyStmtStart = true;
            this.hdr = 0;
            this.prevBegin = false;
            return;
        }
        if (this.started)
            this.emit(this.base + index + 1);
        this.reset();
    }
    emit(end) {
        this.out.push({
            start: this.stmtStart,
            end,
            line: this.stmtLine,
            keyword: this.keyword(),
        });
    }
    keyword() {
        if (this.copy === 3)
            return 'COPY FROM STDIN';
        return this.topCount === 0 ? '' : (0,_statement_kinds_js__WEBPACK_IMPORTED_MODULE_0__/* .statementKeyword */ .Pr)(this.top0, this.top1, this.top2);
    }
    reset() {
        this.started = false;
        this.parenDepth = 0;
        this.topCount = 0;
        this.wantTop = true;
        this.top0 = '';
        this.top1 = '';
        this.top2 = '';
        this.hdr = 0;
        this.prevBegin = false;
        this.bodyDepth = 0;
        this.bodyStmtStart = false;
        this.eContinue = 0;
        this.copy = 0;
    }
}
function isRoutine(word) {
    return word === 'FUNCTION' || word === 'PROCEDURE';
}
/** Upper-cases ASCII letters only, as PostgreSQL folds keywords (`\u0131` must not become `I`). */
function upperAscii(s) {
    for (let i = 0; i < s.length; i++) {
        if (s.charCodeAt(i) >= 128)
            return s.replace(/[a-z]+/g, (m) => m.toUpperCase());
    }
    return s.toUpperCase();
}


/***/ }),

/***/ 7071:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Pr: () => (/* binding */ statementKeyword),
/* harmony export */   u3: () => (/* binding */ NEEDS_MORE),
/* harmony export */   vp: () => (/* binding */ transactionControlOf)
/* harmony export */ });
// What kind of statement the splitter found, from its first keywords: transaction control above all. Pure.
/** First keywords whose statements the second or third token classifies. */
const NEEDS_MORE = new Set(['START', 'COMMIT', 'ROLLBACK', 'PREPARE']);
/**
 * A statement's keyword from its first three tokens (each an upper-cased word, or `'` for a
 * string, `(` for a parenthesis, ` ` for anything else): the first word, with the second or third
 * when they matter for transaction control (see SplitStatement.keyword); `''` when the statement
 * does not start with a word.
 */
function statementKeyword(w0, w1, w2) {
    if (w0 === "'" || w0 === '(' || w0 === ' ')
        return '';
    switch (w0) {
        case 'START':
            return w1 === 'TRANSACTION' ? 'START TRANSACTION' : w0;
        case 'COMMIT':
            return w1 === 'PREPARED' ? 'COMMIT PREPARED' : w0;
        case 'ROLLBACK':
            if (w1 === 'PREPARED')
                return 'ROLLBACK PREPARED';
            if (w1 === 'TO')
                return 'ROLLBACK TO';
            if ((w1 === 'WORK' || w1 === 'TRANSACTION') && w2 === 'TO')
                return 'ROLLBACK TO';
            return w0;
        case 'PREPARE':
            if (w1 === 'TRANSACTION' && w2 !== 'AS' && w2 !== '(')
                return 'PREPARE TRANSACTION';
            return w0;
        default:
            return w0;
    }
}
const TRANSACTION_CONTROL = new Set([
    'BEGIN',
    'START TRANSACTION',
    'COMMIT',
    'END',
    'ROLLBACK',
    'ABORT',
    'PREPARE TRANSACTION',
    'COMMIT PREPARED',
    'ROLLBACK PREPARED',
    'DISCARD',
]);
/**
 * The forbidden top-level transaction control of a statement's keyword (`BEGIN`, `START
 * TRANSACTION`, `COMMIT`, `END`, `ROLLBACK`, `ABORT`, `PREPARE TRANSACTION`, `COMMIT PREPARED`,
 * `ROLLBACK PREPARED` or `DISCARD`, as `analyzeSql` reports them), or undefined (savepoints,
 * `ROLLBACK TO`, everything else).
 */
function transactionControlOf(keyword) {
    return TRANSACTION_CONTROL.has(keyword) ? keyword : undefined;
}


/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId].call(module.exports, module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/******/ // expose the modules object (__webpack_modules__)
/******/ __nccwpck_require__.m = __webpack_modules__;
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/async module */
/******/ (() => {
/******/ 	var webpackQueues = typeof Symbol === "function" ? Symbol("webpack queues") : "__webpack_queues__";
/******/ 	var webpackExports = typeof Symbol === "function" ? Symbol("webpack exports") : "__webpack_exports__";
/******/ 	var webpackError = typeof Symbol === "function" ? Symbol("webpack error") : "__webpack_error__";
/******/ 	var resolveQueue = (queue) => {
/******/ 		if(queue && queue.d < 1) {
/******/ 			queue.d = 1;
/******/ 			queue.forEach((fn) => (fn.r--));
/******/ 			queue.forEach((fn) => (fn.r-- ? fn.r++ : fn()));
/******/ 		}
/******/ 	}
/******/ 	var wrapDeps = (deps) => (deps.map((dep) => {
/******/ 		if(dep !== null && typeof dep === "object") {
/******/ 			if(dep[webpackQueues]) return dep;
/******/ 			if(dep.then) {
/******/ 				var queue = [];
/******/ 				queue.d = 0;
/******/ 				dep.then((r) => {
/******/ 					obj[webpackExports] = r;
/******/ 					resolveQueue(queue);
/******/ 				}, (e) => {
/******/ 					obj[webpackError] = e;
/******/ 					resolveQueue(queue);
/******/ 				});
/******/ 				var obj = {};
/******/ 				obj[webpackQueues] = (fn) => (fn(queue));
/******/ 				return obj;
/******/ 			}
/******/ 		}
/******/ 		var ret = {};
/******/ 		ret[webpackQueues] = x => {};
/******/ 		ret[webpackExports] = dep;
/******/ 		return ret;
/******/ 	}));
/******/ 	__nccwpck_require__.a = (module, body, hasAwait) => {
/******/ 		var queue;
/******/ 		hasAwait && ((queue = []).d = -1);
/******/ 		var depQueues = new Set();
/******/ 		var exports = module.exports;
/******/ 		var currentDeps;
/******/ 		var outerResolve;
/******/ 		var reject;
/******/ 		var promise = new Promise((resolve, rej) => {
/******/ 			reject = rej;
/******/ 			outerResolve = resolve;
/******/ 		});
/******/ 		promise[webpackExports] = exports;
/******/ 		promise[webpackQueues] = (fn) => (queue && fn(queue), depQueues.forEach(fn), promise["catch"](x => {}));
/******/ 		module.exports = promise;
/******/ 		body((deps) => {
/******/ 			currentDeps = wrapDeps(deps);
/******/ 			var fn;
/******/ 			var getResult = () => (currentDeps.map((d) => {
/******/ 				if(d[webpackError]) throw d[webpackError];
/******/ 				return d[webpackExports];
/******/ 			}))
/******/ 			var promise = new Promise((resolve) => {
/******/ 				fn = () => (resolve(getResult));
/******/ 				fn.r = 0;
/******/ 				var fnQueue = (q) => (q !== queue && !depQueues.has(q) && (depQueues.add(q), q && !q.d && (fn.r++, q.push(fn))));
/******/ 				currentDeps.map((dep) => (dep[webpackQueues](fnQueue)));
/******/ 			});
/******/ 			return fn.r ? promise : getResult();
/******/ 		}, (err) => ((err ? reject(promise[webpackError] = err) : outerResolve(exports)), resolveQueue(queue)));
/******/ 		queue && queue.d < 0 && (queue.d = 0);
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/create fake namespace object */
/******/ (() => {
/******/ 	var getProto = Object.getPrototypeOf ? (obj) => (Object.getPrototypeOf(obj)) : (obj) => (obj.__proto__);
/******/ 	var leafPrototypes;
/******/ 	// create a fake namespace object
/******/ 	// mode & 1: value is a module id, require it
/******/ 	// mode & 2: merge all properties of value into the ns
/******/ 	// mode & 4: return value when already ns object
/******/ 	// mode & 16: return value when it's Promise-like
/******/ 	// mode & 8|1: behave like require
/******/ 	__nccwpck_require__.t = function(value, mode) {
/******/ 		if(mode & 1) value = this(value);
/******/ 		if(mode & 8) return value;
/******/ 		if(typeof value === 'object' && value) {
/******/ 			if((mode & 4) && value.__esModule) return value;
/******/ 			if((mode & 16) && typeof value.then === 'function') return value;
/******/ 		}
/******/ 		var ns = Object.create(null);
/******/ 		__nccwpck_require__.r(ns);
/******/ 		var def = {};
/******/ 		leafPrototypes = leafPrototypes || [null, getProto({}), getProto([]), getProto(getProto)];
/******/ 		for(var current = mode & 2 && value; typeof current == 'object' && !~leafPrototypes.indexOf(current); current = getProto(current)) {
/******/ 			Object.getOwnPropertyNames(current).forEach((key) => (def[key] = () => (value[key])));
/******/ 		}
/******/ 		def['default'] = () => (value);
/******/ 		__nccwpck_require__.d(ns, def);
/******/ 		return ns;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/ensure chunk */
/******/ (() => {
/******/ 	__nccwpck_require__.f = {};
/******/ 	// This file contains only the entry chunk.
/******/ 	// The chunk loading function for additional chunks
/******/ 	__nccwpck_require__.e = (chunkId) => {
/******/ 		return Promise.all(Object.keys(__nccwpck_require__.f).reduce((promises, key) => {
/******/ 			__nccwpck_require__.f[key](chunkId, promises);
/******/ 			return promises;
/******/ 		}, []));
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/get javascript chunk filename */
/******/ (() => {
/******/ 	// This function allow to reference async chunks
/******/ 	__nccwpck_require__.u = (chunkId) => {
/******/ 		// return url for filenames based on template
/******/ 		return "" + chunkId + ".index.js";
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/******/ /* webpack/runtime/make namespace object */
/******/ (() => {
/******/ 	// define __esModule on exports
/******/ 	__nccwpck_require__.r = (exports) => {
/******/ 		if(typeof Symbol !== 'undefined' && Symbol.toStringTag) {
/******/ 			Object.defineProperty(exports, Symbol.toStringTag, { value: 'Module' });
/******/ 		}
/******/ 		Object.defineProperty(exports, '__esModule', { value: true });
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/import chunk loading */
/******/ (() => {
/******/ 	// no baseURI
/******/ 	
/******/ 	// object to store loaded and loading chunks
/******/ 	// undefined = chunk not loaded, null = chunk preloaded/prefetched
/******/ 	// [resolve, Promise] = chunk loading, 0 = chunk loaded
/******/ 	var installedChunks = {
/******/ 		792: 0
/******/ 	};
/******/ 	
/******/ 	var installChunk = (data) => {
/******/ 		var {ids, modules, runtime} = data;
/******/ 		// add "modules" to the modules object,
/******/ 		// then flag all "ids" as loaded and fire callback
/******/ 		var moduleId, chunkId, i = 0;
/******/ 		for(moduleId in modules) {
/******/ 			if(__nccwpck_require__.o(modules, moduleId)) {
/******/ 				__nccwpck_require__.m[moduleId] = modules[moduleId];
/******/ 			}
/******/ 		}
/******/ 		if(runtime) runtime(__nccwpck_require__);
/******/ 		for(;i < ids.length; i++) {
/******/ 			chunkId = ids[i];
/******/ 			if(__nccwpck_require__.o(installedChunks, chunkId) && installedChunks[chunkId]) {
/******/ 				installedChunks[chunkId][0]();
/******/ 			}
/******/ 			installedChunks[ids[i]] = 0;
/******/ 		}
/******/ 	
/******/ 	}
/******/ 	
/******/ 	__nccwpck_require__.f.j = (chunkId, promises) => {
/******/ 			// import() chunk loading for javascript
/******/ 			var installedChunkData = __nccwpck_require__.o(installedChunks, chunkId) ? installedChunks[chunkId] : undefined;
/******/ 			if(installedChunkData !== 0) { // 0 means "already installed".
/******/ 	
/******/ 				// a Promise means "currently loading".
/******/ 				if(installedChunkData) {
/******/ 					promises.push(installedChunkData[1]);
/******/ 				} else {
/******/ 					if(true) { // all chunks have JS
/******/ 						// setup Promise in chunk cache
/******/ 						var promise = import("./" + __nccwpck_require__.u(chunkId)).then(installChunk, (e) => {
/******/ 							if(installedChunks[chunkId] !== 0) installedChunks[chunkId] = undefined;
/******/ 							throw e;
/******/ 						});
/******/ 						var promise = Promise.race([promise, new Promise((resolve) => (installedChunkData = installedChunks[chunkId] = [resolve]))])
/******/ 						promises.push(installedChunkData[1] = promise);
/******/ 					}
/******/ 				}
/******/ 			}
/******/ 	};
/******/ 	
/******/ 	// no prefetching
/******/ 	
/******/ 	// no preloaded
/******/ 	
/******/ 	// no external install chunk
/******/ 	
/******/ 	// no on chunks loaded
/******/ })();
/******/ 
/************************************************************************/
/******/ 
/******/ // startup
/******/ // Load entry module and return exports
/******/ // This entry module used 'module' so it can't be inlined
/******/ var __webpack_exports__ = __nccwpck_require__(5691);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ 
