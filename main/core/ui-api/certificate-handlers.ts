// The Certificates page's methods: the CA and the trust stores that trust it.
import type { HandlerContext, UiHandlers } from './host.js';

export type CertificateHandlers = Pick<
  UiHandlers,
  | 'getCertificates'
  | 'installCertificate'
  | 'removeCertificate'
  | 'removeCertificateEverywhere'
  | 'regenerateCertificate'
>;

export function certificateHandlers({ services }: HandlerContext): CertificateHandlers {
  return {
    async getCertificates() {
      return services.certificates();
    },
    async installCertificate({ store }) {
      await services.installCertificate(store);
      return services.certificates();
    },
    async removeCertificate({ store, fingerprint }) {
      await services.removeCertificate(store, fingerprint);
      return services.certificates();
    },
    async removeCertificateEverywhere() {
      await services.removeCertificateEverywhere();
      return services.certificates();
    },
    async regenerateCertificate() {
      await services.regenerateCertificate();
      return services.certificates();
    },
  };
}
