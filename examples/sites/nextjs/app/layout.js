import Link from "next/link";

export const metadata = { title: "related: Next.js example" };

export default function RootLayout({ children }) {
  return (
    <html lang="en">
      <body>
        <header>
          <Link href="/">related: Next.js example</Link>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
